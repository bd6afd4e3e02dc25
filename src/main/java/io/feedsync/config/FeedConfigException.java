package io.feedsync.config;

/** A feed configuration that cannot work; the message names the feed and the key. */
public class FeedConfigException extends RuntimeException {

    private final String key;

    public FeedConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
