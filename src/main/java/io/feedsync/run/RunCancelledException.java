package io.feedsync.run;

/** The run was cancelled: it stops between pages and ends CANCELLED, resumable by the feed's next run. */
public class RunCancelledException extends RuntimeException {

    public RunCancelledException(String message) {
        super(message);
    }
}
