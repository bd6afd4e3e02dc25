package io.feedsync.transform;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An upstream record with the rows it became, the key that identifies it in the feed's table, their
 * digest, and what the writer should do with it. A record carrying a delete marker
 * ({@code deleteMarker}) became one row only: the key columns of the feed's target table, whose
 * row it soft-deletes; its digest is that of a deletion, unlike any content.
 */
public record TransformedRecord(String key, List<TargetRow> rows, JsonNode source, RecordDigest digest,
                                Disposition disposition, boolean deleteMarker) {

    public enum Disposition {
        /** Write it. */
        APPLY,
        /** Older than the feed's watermark: counted as unchanged, not written. */
        STALE,
        /** Already applied with this very content (idempotent consumer): counted as unchanged, not written. */
        UNCHANGED
    }

    public TransformedRecord(String key, List<TargetRow> rows, JsonNode source) {
        this(key, rows, source, RecordDigest.of(key, rows), Disposition.APPLY, false);
    }

    /** A record that carries a delete marker; {@code keyRow} holds the key columns of the feed's target table. */
    public static TransformedRecord deleteMarker(String key, TargetRow keyRow, JsonNode source) {
        return new TransformedRecord(key, List.of(keyRow), source, RecordDigest.ofDeletion(key), Disposition.APPLY,
                true);
    }

    public boolean toApply() {
        return disposition == Disposition.APPLY;
    }

    public TransformedRecord asStale() {
        return new TransformedRecord(key, rows, source, digest, Disposition.STALE, deleteMarker);
    }

    public TransformedRecord asUnchanged() {
        return disposition == Disposition.APPLY
                ? new TransformedRecord(key, rows, source, digest, Disposition.UNCHANGED, deleteMarker) : this;
    }
}
