package io.feedsync.run;

/** The feed already has a run running, or waiting QUEUED for a slot, here or on another node. */
public class FeedBusyException extends RuntimeException {

    private final String feed;
    private final Long runningRunId;
    private final boolean queued;

    /** A run of the feed is running (its id, if known). */
    public FeedBusyException(String feed, Long runningRunId) {
        this(feed, runningRunId, false);
    }

    private FeedBusyException(String feed, Long runId, boolean queued) {
        super("feed '" + feed + "' " + (queued ? "already has a run queued, waiting for a slot" : "is already running")
                + (runId == null ? "" : " (run " + runId + ")"));
        this.feed = feed;
        this.runningRunId = runId;
        this.queued = queued;
    }

    /** A run of the feed waits QUEUED for a slot. */
    public static FeedBusyException queued(String feed, long queuedRunId) {
        return new FeedBusyException(feed, queuedRunId, true);
    }

    public String feed() {
        return feed;
    }

    /** The run that holds the feed, running or queued; null if it was not known. */
    public Long runningRunId() {
        return runningRunId;
    }

    public boolean queued() {
        return queued;
    }
}
