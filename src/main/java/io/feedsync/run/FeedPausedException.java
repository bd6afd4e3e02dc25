package io.feedsync.run;

/** A run of a paused feed was asked for: no node starts one until the feed is resumed. */
public class FeedPausedException extends RuntimeException {

    private final FeedPause pause;

    public FeedPausedException(FeedPause pause) {
        super("feed '" + pause.feed() + "' is paused (by " + pause.pausedBy() + " at " + pause.pausedAt()
                + (pause.reason() == null ? "" : ": " + pause.reason()) + "); resume it to run it");
        this.pause = pause;
    }

    public FeedPause pause() {
        return pause;
    }
}
