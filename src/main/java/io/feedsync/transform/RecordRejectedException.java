package io.feedsync.transform;

/** An upstream record that cannot become rows; the message says why, without echoing the record. */
public class RecordRejectedException extends RuntimeException {

    public RecordRejectedException(String message) {
        super(message);
    }
}
