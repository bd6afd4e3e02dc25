package io.feedsync.config;

/** A new feed over the API would pass this node's {@code feedsync.limits.max-feeds}: nothing is stored. */
public class TooManyFeedsException extends RuntimeException {

    public TooManyFeedsException(String feed, int defined, int limit) {
        super("feed '" + feed + "' is not created: " + defined + " feeds are defined over the API, this node's limit"
                + " (feedsync.limits.max-feeds) is " + limit + "; delete one or raise the limit");
    }
}
