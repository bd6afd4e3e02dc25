package io.feedsync.run;

/** The feed is already running, here or on another node. */
public class FeedBusyException extends RuntimeException {

    private final String feed;
    private final Long runningRunId;

    public FeedBusyException(String feed, Long runningRunId) {
        super("feed '" + feed + "' is already running" + (runningRunId == null ? "" : " (run " + runningRunId + ")"));
        this.feed = feed;
        this.runningRunId = runningRunId;
    }

    public String feed() {
        return feed;
    }

    public Long runningRunId() {
        return runningRunId;
    }
}
