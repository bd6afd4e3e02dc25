package io.feedsync.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.springframework.stereotype.Component;

import io.feedsync.transform.Chunk;
import io.feedsync.transform.TransformedRecord;

/**
 * The write step: applies one chunk of transformed records to the feed's target tables and answers
 * what it did, a {@link ChunkOutcome}; folding that into the run (its counts, samples and a
 * failure) is the run's business ({@code RunChunks}), not the writer's. A key that repeats inside
 * the chunk is applied once, the last one winning, since PostgreSQL refuses to touch one row twice
 * in a statement. Records already applied unchanged (idempotent consumer), stale records (older
 * than the watermark) and superseded repeats count as unchanged; a full run that must know the keys
 * it saw records them all ({@link SeenKeys}), and the dead letters of earlier runs for the keys
 * found already applied are settled. The others are written in one transaction
 * ({@link ChunkTransaction}: rows merged, delete markers applied, hashes saved, change events
 * written), split on bad data until only the records PostgreSQL refuses are left, which are
 * dead-lettered ({@link ChunkBisection}).
 */
@Component("chunkWriter")
public class ChunkWriter {

    private final ChunkTransaction transaction;
    private final ChunkBisection bisection;
    private final DeadLetters deadLetters;
    private final SeenKeys seenKeys;

    ChunkWriter(ChunkTransaction transaction, ChunkBisection bisection, DeadLetters deadLetters, SeenKeys seenKeys) {
        this.transaction = transaction;
        this.bisection = bisection;
        this.deadLetters = deadLetters;
        this.seenKeys = seenKeys;
    }

    /**
     * Writes the chunk and answers what it did. It never throws: a failure that is not the data's
     * comes back in the outcome. Once the run has recorded such a failure (of an earlier chunk), the
     * chunk is skipped: nothing more of the run is written.
     */
    public ChunkOutcome write(@Body Chunk chunk, @ExchangeProperty(StoreRun.PROPERTY) StoreRun run) {
        if (run.writeFailure() != null) {
            return ChunkOutcome.skipped();
        }
        RunSamples samples = new RunSamples();
        UpsertCounts notWritten = UpsertCounts.NONE;
        List<TransformedRecord> toWrite;
        try {
            Map<String, TransformedRecord> latest = new LinkedHashMap<>();
            List<String> alreadyApplied = new ArrayList<>();
            for (TransformedRecord record : chunk.records()) {
                if (!record.toApply()) {
                    samples.add(RunSamples.UNCHANGED, record.key());
                    if (record.disposition() == TransformedRecord.Disposition.UNCHANGED) {
                        alreadyApplied.add(record.key());
                    }
                } else {
                    latest.remove(record.key());
                    latest.put(record.key(), record);
                }
            }
            notWritten = new UpsertCounts(0, 0, chunk.size() - latest.size());
            if (run.seesKeys()) {
                seenKeys.record(run, chunk.records());
            }
            deadLetters.settle(run, alreadyApplied);
            toWrite = new ArrayList<>(latest.values());
        } catch (RuntimeException failure) {
            return outcome(notWritten, samples, List.of(), failure);
        }
        ChunkBisection.Result written = bisection.write(run, toWrite,
                (records, unseenKeysByCopy) -> transaction.write(run, records, samples, unseenKeysByCopy));
        return outcome(notWritten.plus(written.counts()), samples, written.deadLettered(), written.failure());
    }

    /** Writes one record now, for a replay: a failure is thrown, not dead-lettered again. */
    public ChunkOutcome writeNow(StoreRun run, TransformedRecord record) {
        RunSamples samples = new RunSamples();
        UpsertCounts counts = transaction.write(run, List.of(record), samples, false);
        return outcome(counts, samples, List.of(), null);
    }

    private static ChunkOutcome outcome(UpsertCounts counts, RunSamples samples, List<Chunk.Rejection> deadLettered,
                                        RuntimeException failure) {
        Map<String, List<String>> keys = samples.snapshot();
        return new ChunkOutcome(counts, keys.get(RunSamples.INSERTED), keys.get(RunSamples.UPDATED),
                keys.get(RunSamples.UNCHANGED), keys.get(RunSamples.DELETED), deadLettered, failure);
    }
}
