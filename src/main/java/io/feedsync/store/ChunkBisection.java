package io.feedsync.store;

import java.util.ArrayList;
import java.util.List;

import org.postgresql.util.PSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.feedsync.transform.Chunk;
import io.feedsync.transform.TransformedRecord;

/**
 * Writes a chunk's records so that bad data sinks only the records it is in. The records go in one
 * transaction (an {@link Attempt}); if PostgreSQL refuses it for the data (SQLSTATE classes 22 and
 * 23, see {@link DatabaseFailure#isBadData}), each half is written on its own, and so on down to
 * single records: those PostgreSQL refuses are dead-lettered, the rest land. Any other failure (see
 * {@link DatabaseFailure}) is the database's, not the records': nothing more is written, and the
 * failure is answered for the run to fail.
 * <p>
 * A unique violation in {@code sync_record_hash} while the hashes of unseen keys go in by plain
 * {@code COPY} is not the records' fault either (a hash was stored during the run by someone else):
 * the records are written again, and every later write of the chunk too, with their hashes going
 * through {@code ON CONFLICT}.
 */
@Component
class ChunkBisection {

    private static final Logger log = LoggerFactory.getLogger(ChunkBisection.class);

    /** Writes the records in one transaction, or throws (and writes nothing). */
    @FunctionalInterface
    interface Attempt {
        /** {@code unseenKeysByCopy}: see {@link ChunkTransaction#write}. */
        UpsertCounts write(List<TransformedRecord> records, boolean unseenKeysByCopy);
    }

    /**
     * What the writes did: the counts of those that landed, the records dead-lettered, and the failure
     * that stopped them (null if none did).
     */
    record Result(UpsertCounts counts, List<Chunk.Rejection> deadLettered, RuntimeException failure) {
    }

    private final DeadLetters deadLetters;

    ChunkBisection(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    /** Writes the records of {@code run} with {@code attempt}, splitting on bad data; never throws. */
    Result write(StoreRun run, List<TransformedRecord> records, Attempt attempt) {
        Writes writes = new Writes(run, attempt);
        try {
            writes.splitting(records);
        } catch (RuntimeException failure) {
            // the dead letters could not be stored: as any failure that is not the data's
            writes.failure = failure;
        }
        return new Result(writes.counts, List.copyOf(writes.deadLettered), writes.failure);
    }

    /** One chunk's writes so far. */
    private final class Writes {
        private final StoreRun run;
        private final Attempt attempt;
        private UpsertCounts counts = UpsertCounts.NONE;
        private final List<Chunk.Rejection> deadLettered = new ArrayList<>(0);
        private RuntimeException failure;
        /** Whether hashes of keys with none stored go straight in by COPY (until that meets a stored one). */
        private boolean unseenKeysByCopy = true;

        Writes(StoreRun run, Attempt attempt) {
            this.run = run;
            this.attempt = attempt;
        }

        /**
         * Writes the records in one transaction; if bad data sinks it, each half on its own, down to
         * the single records PostgreSQL refuses, which go to the dead letters.
         */
        void splitting(List<TransformedRecord> records) {
            if (records.isEmpty() || failure != null) {
                return;
            }
            try {
                counts = counts.plus(attempt.write(records, unseenKeysByCopy));
            } catch (RuntimeException refused) {
                if (unseenKeysByCopy && storedHashConflict(refused)) {
                    // a hash stored since the run's index was loaded (by whom? a node that lost its lock
                    // and wrote on): not the records' fault; the chunk's hashes go through ON CONFLICT
                    log.warn("Run {} of feed {}: a record hash was stored during the run by someone else; this"
                            + " chunk's hashes replace the stored ones instead", run.runId(), run.feed().name());
                    unseenKeysByCopy = false;
                    splitting(records);
                    return;
                }
                if (!DatabaseFailure.isBadData(refused)) {
                    // the database's fault (lost connection, timeout, deadlock, ...), not the rows':
                    // the run fails, and a later one writes them
                    failure = refused;
                    return;
                }
                if (records.size() == 1) {
                    deadLetter(records.get(0), refused);
                    return;
                }
                int half = records.size() / 2;
                splitting(records.subList(0, half));
                splitting(records.subList(half, records.size()));
            }
        }

        /** A child feed's record carries its parent's for-each columns in the columns mapped from them. */
        private java.util.Map<String, String> parentOf(TransformedRecord record) {
            if (run.feed().source() == null || run.feed().source().forEach() == null) {
                return java.util.Map.of();
            }
            java.util.Map<String, String> parents = run.feed().transform().parents();
            java.util.Map<String, String> parent = new java.util.LinkedHashMap<>();
            record.rows().stream().filter(row -> row.table().equals(run.feed().target().table())).findFirst()
                    .ifPresent(row -> parents.forEach((column, parentColumn) ->
                            parent.put(parentColumn, row.values().get(column))));
            return parent;
        }

        private void deadLetter(TransformedRecord record, RuntimeException refused) {
            deadLetters.store(run, record.source(), record.key(), refused, parentOf(record));
            deadLettered.add(new Chunk.Rejection(record.source(), record, refused));
        }
    }

    /** A unique violation in {@code sync_record_hash}: a hash was there that the run did not know of. */
    static boolean storedHashConflict(RuntimeException failure) {
        for (Throwable cause : DatabaseFailure.causes(failure)) {
            if (cause instanceof PSQLException psql && "23505".equals(psql.getSQLState())
                    && psql.getServerErrorMessage() != null
                    && "sync_record_hash".equals(psql.getServerErrorMessage().getTable())) {
                return true;
            }
        }
        return false;
    }
}
