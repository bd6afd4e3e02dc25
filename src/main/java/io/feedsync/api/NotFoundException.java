package io.feedsync.api;

/** The request named something that does not exist (other than a feed). */
public class NotFoundException extends RuntimeException {

    public NotFoundException(String message) {
        super(message);
    }
}
