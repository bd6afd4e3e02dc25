package io.feedsync.store;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.postgresql.util.PSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.feedsync.transform.Chunk;
import io.feedsync.transform.TargetRow;
import io.feedsync.transform.TransformedRecord;

/**
 * The write step: applies one chunk of transformed records to the feed's target tables in one
 * transaction. A key that repeats inside the chunk is applied once, the last one winning, since
 * PostgreSQL refuses to touch one row twice in a statement. Records already applied unchanged
 * (idempotent consumer), stale records (older than the watermark) and superseded repeats count as
 * unchanged. The others' rows are {@code COPY}ed into a staging table and merged with one
 * statement per table and column list, parents before children ({@link MergeStatement}); their
 * content hashes are saved the same way in the same transaction, and the dead letters of earlier
 * runs for the keys applied (or already applied) are settled. A chunk that fails on bad data
 * (SQLSTATE classes 22 and 23) is split in halves until only the records PostgreSQL rejects are
 * left, and those are dead-lettered; any other failure (see {@link DatabaseFailure}) fails the
 * run. Each statement is bounded by the feed's {@code statement-timeout}. Records that carry a
 * delete marker soft-delete their rows in the same transaction ({@link MarkedDeletes}), their
 * hashes saved like any others', so the same marker sent again is unchanged. For a feed with a
 * {@code notify} section, the merge and the soft-delete of the feed's table write a change event per
 * row they change, in the same statements ({@link ChangeOutbox}).
 */
@Component("chunkWriter")
public class ChunkWriter {

    private static final Logger log = LoggerFactory.getLogger(ChunkWriter.class);
    private static final String HASH_STAGE = "feedsync_stage_hashes";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final TargetTables tables;
    private final DeadLetters deadLetters;
    private final SeenKeys seenKeys;
    private final Map<String, MergeStatement> statements = new ConcurrentHashMap<>();
    private final Map<String, MarkedDeletes> markedDeletes = new ConcurrentHashMap<>();
    private final AtomicInteger stages = new AtomicInteger();

    public ChunkWriter(JdbcTemplate jdbc, TransactionTemplate transaction, TargetTables tables,
                       DeadLetters deadLetters, SeenKeys seenKeys) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.tables = tables;
        this.deadLetters = deadLetters;
        this.seenKeys = seenKeys;
    }

    /**
     * Writes the chunk and answers what it did. It never throws: a failure that is not the data's
     * comes back in the outcome, and the chunks after it are skipped.
     */
    public ChunkOutcome write(@Body Chunk chunk, @ExchangeProperty(StoreRun.PROPERTY) StoreRun run) {
        if (run.writeFailure() != null) {
            return ChunkOutcome.skipped();
        }
        Written written = new Written();
        try {
            Map<String, TransformedRecord> latest = new LinkedHashMap<>();
            List<String> alreadyApplied = new ArrayList<>();
            for (TransformedRecord record : chunk.records()) {
                if (!record.toApply()) {
                    written.samples.add(RunSamples.UNCHANGED, record.key());
                    if (record.disposition() == TransformedRecord.Disposition.UNCHANGED) {
                        alreadyApplied.add(record.key());
                    }
                } else {
                    latest.remove(record.key());
                    latest.put(record.key(), record);
                }
            }
            written.counts = new UpsertCounts(0, 0, chunk.size() - latest.size());
            if (run.seesKeys()) {
                seenKeys.record(run, chunk.records());
            }
            deadLetters.settle(run, alreadyApplied);
            writeSplitting(run, new ArrayList<>(latest.values()), written);
        } catch (RuntimeException failure) {
            written.failure = failure;
        }
        if (written.failure != null) {
            run.writeFailed(written.failure);
        }
        return written.outcome();
    }

    /** What a chunk's write did so far. */
    private static final class Written {
        private UpsertCounts counts = UpsertCounts.NONE;
        private final RunSamples samples = new RunSamples();
        private final List<Chunk.Rejection> deadLettered = new ArrayList<>(0);
        private RuntimeException failure;
        /** Whether hashes of keys with none stored go straight in by COPY (until that meets a stored one). */
        private boolean unseenKeysByCopy = true;

        ChunkOutcome outcome() {
            Map<String, List<String>> keys = samples.snapshot();
            return new ChunkOutcome(counts, keys.get(RunSamples.INSERTED), keys.get(RunSamples.UPDATED),
                    keys.get(RunSamples.UNCHANGED), keys.get(RunSamples.DELETED), deadLettered, failure);
        }
    }

    /** A unique violation in {@code sync_record_hash}: a hash was there that the run did not know of. */
    private static boolean storedHashConflict(RuntimeException failure) {
        for (Throwable cause : DatabaseFailure.causes(failure)) {
            if (cause instanceof PSQLException psql && "23505".equals(psql.getSQLState())
                    && psql.getServerErrorMessage() != null
                    && "sync_record_hash".equals(psql.getServerErrorMessage().getTable())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes the records in one transaction; if bad data sinks it, each half on its own, down to
     * the single records PostgreSQL refuses, which go to the dead letters.
     */
    private void writeSplitting(StoreRun run, List<TransformedRecord> records, Written written) {
        if (records.isEmpty() || written.failure != null) {
            return;
        }
        try {
            written.counts = written.counts.plus(inTransaction(run, records, written.samples, written.unseenKeysByCopy));
        } catch (RuntimeException failure) {
            if (written.unseenKeysByCopy && storedHashConflict(failure)) {
                // a hash stored since the run's index was loaded (by whom? a node that lost its lock
                // and wrote on): not the records' fault; the chunk's hashes go through ON CONFLICT
                log.warn("Run {} of feed {}: a record hash was stored during the run by someone else; this chunk's"
                        + " hashes replace the stored ones instead", run.runId(), run.feed().name());
                written.unseenKeysByCopy = false;
                writeSplitting(run, records, written);
                return;
            }
            if (!DatabaseFailure.isBadData(failure)) {
                // the database's fault (lost connection, timeout, deadlock, ...), not the rows':
                // the run fails, and a later one writes them
                written.failure = failure;
                return;
            }
            if (records.size() == 1) {
                TransformedRecord record = records.get(0);
                deadLetters.store(run, record.source(), record.key(), failure);
                written.deadLettered.add(new Chunk.Rejection(record.source(), record, failure));
                return;
            }
            int half = records.size() / 2;
            writeSplitting(run, records.subList(0, half), written);
            writeSplitting(run, records.subList(half, records.size()), written);
        }
    }

    /** Writes one record now, for a replay: a failure is thrown, not dead-lettered again. */
    public ChunkOutcome writeNow(StoreRun run, TransformedRecord record) {
        Written written = new Written();
        written.counts = inTransaction(run, List.of(record), written.samples, false);
        return written.outcome();
    }

    private UpsertCounts inTransaction(StoreRun run, Collection<TransformedRecord> records, RunSamples samples,
                                       boolean unseenKeysByCopy) {
        String primary = run.feed().target().table();
        List<TransformedRecord> marked = records.stream().filter(TransformedRecord::deleteMarker).toList();
        Map<String, List<TargetRow>> byTable = rowsByTable(marked.isEmpty() ? records
                : records.stream().filter(record -> !record.deleteMarker()).toList());
        return transaction.execute(status -> {
            StatementTimeout.apply(jdbc, run.feed().statementTimeout());
            UpsertCounts written = UpsertCounts.NONE;
            for (Map.Entry<String, List<TargetRow>> table : byTable.entrySet()) {
                if (table.getKey().equals(primary)) {
                    written = merge(tables.of(run.feed().name()), table.getValue(), samples, run);
                } else {
                    TargetTable secondary = tables.of(run.feed().name(), table.getKey(), table.getValue().get(0).key());
                    merge(secondary, latestPerKey(secondary, table.getValue()), new RunSamples(), null);
                }
            }
            if (!marked.isEmpty()) {
                written = written.plus(softDelete(run, tables.of(run.feed().name()), marked, samples));
            }
            saveHashes(run, records, unseenKeysByCopy);
            deadLetters.settle(run, records.stream().map(TransformedRecord::key).toList());
            if (run.dryRun()) {
                // a dry run learns exactly what the merge would do, then takes it back
                status.setRollbackOnly();
            }
            return written;
        });
    }

    /**
     * Soft-deletes the rows of the records that carry a delete marker, in the feed's target table
     * only (a mapper's other tables keep their rows); a marked key whose row is missing or deleted
     * already counts as unchanged.
     */
    private UpsertCounts softDelete(StoreRun run, TargetTable table, List<TransformedRecord> marked,
                                    RunSamples samples) {
        // on a shared table a feed deletes only its own rows: the statement is that feed's
        String writtenBy = run.feed().target().shared() ? run.feed().name() : null;
        MarkedDeletes statement = markedDeletes.computeIfAbsent(
                table.name() + "/" + table.softDeleteColumn() + table.key() + "/" + writtenBy,
                k -> new MarkedDeletes(table, "feedsync_stage_" + stages.incrementAndGet(), RunSamples.PER_OUTCOME,
                        writtenBy));
        CopyText lines = new CopyText(marked.size() * 32);
        for (TransformedRecord record : marked) {
            lines.row(record.rows().get(0).values(), table.key());
        }
        jdbc.execute(statement.createStage());
        lines.copyInto(jdbc, statement.copy());
        List<UpsertCounts> answer = jdbc.query(connection -> ChangeOutbox.prepare(connection, run,
                        statement.softDelete(), statement.softDeleteRecordingChanges()),
                (result, n) -> {
                    long deleted = result.getLong(1);
                    for (String key : (String[]) result.getArray(2).getArray()) {
                        samples.add(RunSamples.DELETED, key);
                    }
                    return new UpsertCounts(0, 0, marked.size() - deleted, deleted);
                });
        return answer.get(0);
    }

    /**
     * Remembers what was applied, for the idempotent consumer of later runs (see {@link RecordHashes}).
     * The hashes of keys that have none stored yet ({@link TransformedRecord#unseenKey()}: all of a
     * first load's) are {@code COPY}ed straight into {@code sync_record_hash}, which costs PostgreSQL
     * less than a merge; the others replace theirs through a staging table and {@code ON CONFLICT}.
     */
    private void saveHashes(StoreRun run, Collection<TransformedRecord> records, boolean unseenKeysByCopy) {
        String feed = run.feed().name();
        CopyText unseen = new CopyText(0);
        CopyText known = new CopyText(0);
        boolean anyUnseen = false;
        boolean anyKnown = false;
        for (TransformedRecord record : records) {
            if (unseenKeysByCopy && record.unseenKey()) {
                unseen.value(feed).tab();
                hashRow(unseen, record);
                anyUnseen = true;
            } else {
                hashRow(known, record);
                anyKnown = true;
            }
        }
        if (anyUnseen) {
            unseen.copyInto(jdbc, "COPY sync_record_hash (feed, record_key, key_hash, content_hash) FROM STDIN");
        }
        if (!anyKnown) {
            return;
        }
        jdbc.execute("CREATE TEMP TABLE IF NOT EXISTS " + HASH_STAGE
                + " (record_key text, key_hash bigint, content_hash bigint) ON COMMIT DELETE ROWS");
        known.copyInto(jdbc, "COPY " + HASH_STAGE + " FROM STDIN");
        jdbc.update("""
                insert into sync_record_hash (feed, record_key, key_hash, content_hash)
                select ?, record_key, key_hash, content_hash from feedsync_stage_hashes
                on conflict (feed, record_key) do update set key_hash = excluded.key_hash,
                                                             content_hash = excluded.content_hash""",
                feed);
    }

    private static void hashRow(CopyText lines, TransformedRecord record) {
        lines.value(record.key()).tab().value(record.digest().keyHash()).tab().value(record.digest().contentHash())
                .endRow();
    }

    /**
     * The chunk's rows grouped by table, parents before children: mappers list a record's rows
     * parents first, so a table goes after every table that stood before it in some record.
     */
    private static Map<String, List<TargetRow>> rowsByTable(Collection<TransformedRecord> records) {
        Map<String, List<TargetRow>> byTable = new LinkedHashMap<>();
        Map<String, Integer> depth = new HashMap<>();
        for (TransformedRecord record : records) {
            for (int i = 0; i < record.rows().size(); i++) {
                TargetRow row = record.rows().get(i);
                byTable.computeIfAbsent(row.table(), t -> new ArrayList<>()).add(row);
                depth.merge(row.table(), i, Math::max);
            }
        }
        Map<String, List<TargetRow>> ordered = new LinkedHashMap<>();
        byTable.keySet().stream().sorted(Comparator.comparing(depth::get))
                .forEach(table -> ordered.put(table, byTable.get(table)));
        return ordered;
    }

    /** Rows of a shared parent (one partner for many plans) come once per key, the last winning. */
    private static List<TargetRow> latestPerKey(TargetTable table, List<TargetRow> rows) {
        Map<List<String>, TargetRow> latest = new LinkedHashMap<>();
        for (TargetRow row : rows) {
            List<String> key = table.key().stream().map(row.values()::get).toList();
            latest.remove(key);
            latest.put(key, row);
        }
        return new ArrayList<>(latest.values());
    }

    /** {@code changesOf}: the run whose change events the merge writes, null for a table other than the feed's. */
    private UpsertCounts merge(TargetTable table, List<TargetRow> rows, RunSamples samples, StoreRun changesOf) {
        UpsertCounts counts = UpsertCounts.NONE;
        // rows grouped by the columns they set (values are bound by column name, so order does not matter)
        Map<Set<String>, List<TargetRow>> byColumns = new LinkedHashMap<>();
        Set<String> lastColumns = null;
        List<TargetRow> lastGroup = null;
        for (TargetRow row : rows) {
            Set<String> columns = row.values().keySet();
            if (lastGroup == null || !sameInOrder(lastColumns, columns)) {
                lastColumns = columns;
                lastGroup = byColumns.computeIfAbsent(columns, k -> new ArrayList<>());
            }
            lastGroup.add(row);
        }
        for (Map.Entry<Set<String>, List<TargetRow>> group : byColumns.entrySet()) {
            List<String> columns = List.copyOf(group.getKey());
            // two feeds may write one table with different keys: the key is part of the statement
            String id = table.name() + "/" + table.key() + "/" + table.softDeleteColumn() + columns;
            MergeStatement statement = statements.computeIfAbsent(id, k -> new MergeStatement(table, columns,
                    "feedsync_stage_" + stages.incrementAndGet(), RunSamples.PER_OUTCOME));
            counts = counts.plus(execute(statement, group.getValue(), samples, changesOf));
        }
        return counts;
    }

    /** Cheaper than set equality for the usual case: the same column names (the same strings) in the same order. */
    private static boolean sameInOrder(Set<String> these, Set<String> those) {
        if (these == those) {
            // rows of one column mapping share their key set
            return true;
        }
        if (these.size() != those.size()) {
            return false;
        }
        Iterator<String> other = those.iterator();
        for (String column : these) {
            String next = other.next();
            if (column != next && !column.equals(next)) {
                return false;
            }
        }
        return true;
    }

    private UpsertCounts execute(MergeStatement statement, List<TargetRow> rows, RunSamples samples,
                                 StoreRun changesOf) {
        List<String> columns = statement.columns();
        CopyText lines = new CopyText(rows.size() * columns.size() * 24);
        for (TargetRow row : rows) {
            lines.row(row.values(), columns);
        }
        jdbc.execute(statement.createStage());
        lines.copyInto(jdbc, statement.copy());
        // a prepared statement (JdbcTemplate sends one without parameters as a plain query): the
        // driver prepares it on the server after a few chunks, and PostgreSQL plans it once
        List<UpsertCounts> answer = jdbc.query(connection -> ChangeOutbox.prepare(connection, changesOf,
                statement.merge(), statement.mergeRecordingChanges()), (result, n) -> {
            long inserted = result.getLong(1);
            long updated = result.getLong(2);
            for (String key : (String[]) result.getArray(3).getArray()) {
                samples.add(RunSamples.INSERTED, key);
            }
            for (String key : (String[]) result.getArray(4).getArray()) {
                samples.add(RunSamples.UPDATED, key);
            }
            return new UpsertCounts(inserted, updated, rows.size() - inserted - updated);
        });
        return answer.get(0);
    }
}
