package io.feedsync.transform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A few hundred records of one page on their way through the sync route as one exchange: the
 * records transformed so far, in upstream order, and those that were rejected on the way (for
 * the dead letters). Each step of the route refines it record by record; a rejected record leaves
 * the chunk and the chunk goes on.
 */
public final class Chunk {

    /** A record that could not become rows: its payload, the rows it became (if it got that far), and why. */
    public record Rejection(JsonNode payload, TransformedRecord record, RuntimeException failure) {

        /** The record's key, when it was known before it was rejected. */
        public String key() {
            if (record != null) {
                return record.key();
            }
            List<String> keyValues = keyValues();
            return keyValues == null ? null : String.join("|", keyValues);
        }

        /** The values of the target's key columns, when known. */
        public List<String> keyValues() {
            return failure instanceof RecordRejectedException rejected ? rejected.keyValues() : null;
        }
    }

    private final int upstreamSize;
    private List<TransformedRecord> records;
    private final List<Rejection> rejections = new ArrayList<>(0);
    private final Map<String, String> parent;

    /** {@code upstreamSize}: how many upstream records the chunk started with. */
    public Chunk(int upstreamSize, List<TransformedRecord> records) {
        this(upstreamSize, records, Map.of());
    }

    /** {@code parent}: a child feed's parent row ({@code for-each} columns) the records were fetched for; empty otherwise. */
    public Chunk(int upstreamSize, List<TransformedRecord> records, Map<String, String> parent) {
        this.upstreamSize = upstreamSize;
        this.records = records;
        this.parent = parent;
    }

    /** The parent row a child feed's records were fetched for; empty for any other feed. */
    public Map<String, String> parent() {
        return parent;
    }

    public int upstreamSize() {
        return upstreamSize;
    }

    /** The records still in the chunk, in upstream order. */
    public List<TransformedRecord> records() {
        return records;
    }

    public List<Rejection> rejections() {
        return rejections;
    }

    public boolean hasRejections() {
        return !rejections.isEmpty();
    }

    public void reject(JsonNode payload, TransformedRecord record, RuntimeException failure) {
        rejections.add(new Rejection(payload, record, failure));
    }

    /**
     * Applies {@code step} to each record: its answer replaces the record; a
     * {@link RecordRejectedException} moves the record to the rejections.
     */
    public void eachRecord(UnaryOperator<TransformedRecord> step) {
        List<TransformedRecord> kept = new ArrayList<>(records.size());
        for (TransformedRecord record : records) {
            try {
                kept.add(step.apply(record));
            } catch (RecordRejectedException e) {
                reject(record.source(), record, e);
            }
        }
        records = kept;
    }

    /** Rejections are handled (stored as dead letters) once, then leave the chunk. */
    public List<Rejection> takeRejections() {
        List<Rejection> taken = List.copyOf(rejections);
        rejections.clear();
        return taken;
    }

    public int size() {
        return records.size();
    }
}
