package io.feedsync.transform;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An upstream record with the rows it became and the key that identifies it in the feed's table,
 * and what the writer should do with it.
 */
public record TransformedRecord(String key, List<TargetRow> rows, JsonNode source, Disposition disposition) {

    public enum Disposition {
        /** Write it. */
        APPLY,
        /** Older than the feed's watermark: counted as unchanged, not written. */
        STALE,
        /** Already applied with this very content (idempotent consumer): counted as unchanged, not written. */
        UNCHANGED
    }

    public TransformedRecord(String key, List<TargetRow> rows, JsonNode source) {
        this(key, rows, source, Disposition.APPLY);
    }

    public boolean toApply() {
        return disposition == Disposition.APPLY;
    }

    public TransformedRecord asStale() {
        return new TransformedRecord(key, rows, source, Disposition.STALE);
    }

    public TransformedRecord asUnchanged() {
        return disposition == Disposition.APPLY ? new TransformedRecord(key, rows, source, Disposition.UNCHANGED) : this;
    }
}
