package io.feedsync.upstream;

import java.time.Duration;

/**
 * {@code source.retry}: how often a failed page request is tried in all, and how long to wait in
 * between — exponential from {@code initialBackoff}, capped at {@code maxBackoff}, with jitter.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    /** Longest Retry-After honoured; an upstream asking for more fails the run as transient. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

    /** The wait before attempt {@code attempt + 1}, {@code attempt} counting from 1. */
    public long backoffMillis(int attempt, double random) {
        double exponential = initialBackoff.toMillis() * Math.pow(2, Math.max(0, attempt - 1));
        long capped = (long) Math.min(exponential, maxBackoff.toMillis());
        // "equal jitter": half fixed, half random, so retries of many feeds spread out
        return capped / 2 + (long) (random * (capped - capped / 2));
    }
}
