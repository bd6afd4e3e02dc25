package io.feedsync.run;

import java.time.Instant;

/** A timer fire that started a run already, on this node or another: it is not run again. */
public class FireAlreadyRunException extends RuntimeException {

    public FireAlreadyRunException(String feed, Instant fireTime, long runId) {
        super("the fire of " + fireTime + " already started run " + runId + " of feed '" + feed + "'");
    }
}
