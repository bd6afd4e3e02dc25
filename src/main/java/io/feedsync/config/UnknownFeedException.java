package io.feedsync.config;

/** A request named a feed that is not configured. */
public class UnknownFeedException extends RuntimeException {

    public UnknownFeedException(String feed) {
        super("no feed named '" + feed + "'");
    }
}
