package io.feedsync.upstream;

/**
 * {@code source.error-when: { pointer: /error, retry: false }}: an upstream that answers 200 with an
 * error object. A page with a value at {@code pointer} (anything but {@code null} or {@code false})
 * is an error page: it fails the run as permanent, or, with {@code retry: true}, is fetched again
 * as a transient failure.
 */
public record ErrorBodies(String pointer, FailureClass failureClass) {
}
