package io.feedsync.transform;

import java.util.List;

/**
 * An upstream record that cannot become rows; the message says why, without echoing the record.
 * When the record's key is known (the values of the target's key columns, in order), it is kept
 * with the dead letter, and a full run counts the record as seen, so its row is not soft-deleted.
 */
public class RecordRejectedException extends RuntimeException {

    private final List<String> keyValues;

    public RecordRejectedException(String message) {
        this(message, null);
    }

    private RecordRejectedException(String message, List<String> keyValues) {
        super(message);
        this.keyValues = keyValues;
    }

    /** The same rejection, for the record whose key columns hold {@code keyValues}. */
    public RecordRejectedException forKey(List<String> keyValues) {
        RecordRejectedException keyed = new RecordRejectedException(getMessage(), List.copyOf(keyValues));
        keyed.setStackTrace(getStackTrace());
        return keyed;
    }

    /** The key columns' values, or null when the record was rejected before its key was known. */
    public List<String> keyValues() {
        return keyValues;
    }
}
