package io.feedsync.api;

/** A change over the API to a feed that is defined in the configuration (application.yaml). */
public class FeedConfiguredException extends RuntimeException {

    public FeedConfiguredException(String feed) {
        super("feed '" + feed + "' is defined in the configuration (feedsync.feeds." + feed + "): change it there;"
                + " over the API it can only be paused and resumed");
    }
}
