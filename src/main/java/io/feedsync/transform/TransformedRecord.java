package io.feedsync.transform;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An upstream record with the rows it became and the key that identifies it in the feed's table.
 * A {@code stale} record is older than the feed's watermark: it is counted, not written.
 */
public record TransformedRecord(String key, List<TargetRow> rows, JsonNode source, boolean stale) {

    public TransformedRecord(String key, List<TargetRow> rows, JsonNode source) {
        this(key, rows, source, false);
    }

    public TransformedRecord asStale() {
        return new TransformedRecord(key, rows, source, true);
    }
}
