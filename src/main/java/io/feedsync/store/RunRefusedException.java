package io.feedsync.store;

/** The run stopped itself because going on would do harm (e.g. the deletion guard); permanent until someone decides. */
public class RunRefusedException extends RuntimeException {

    public RunRefusedException(String message) {
        super(message);
    }
}
