package io.feedsync.api;

/** A request the API cannot act on as sent: the message says what to change. */
public class BadRequestException extends RuntimeException {

    public BadRequestException(String message) {
        super(message);
    }
}
