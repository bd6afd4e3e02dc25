package io.feedsync.upstream;

import java.time.Duration;

/**
 * The request for a page failed, or its body broke off while the records were read: the page
 * route can be tried again as a whole (the records it already applied are applied again, which
 * the upsert makes harmless). {@code retryAfter} is the upstream's own {@code Retry-After}, if it
 * gave one.
 */
public class PageFetchException extends UpstreamException {

    private final Duration retryAfter;

    public PageFetchException(FailureClass failureClass, Integer httpStatus, String url, String message,
                              Duration retryAfter) {
        super(failureClass, httpStatus, url, message);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public boolean isTransient() {
        return failureClass() == FailureClass.TRANSIENT;
    }
}
