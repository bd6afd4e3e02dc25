package io.feedsync.upstream;

/**
 * A feed's politeness towards its upstream ({@code source.rate-limit}): at most
 * {@code requestsPerSecond} requests in any second, retries included (null: no limit), and at most
 * {@code prefetch} pages fetched ahead of the writer.
 */
public record RateLimit(Double requestsPerSecond, int prefetch) {

    public boolean limited() {
        return requestsPerSecond != null;
    }

    /** Requests allowed per {@link #periodMillis()}: the rate as whole requests over a period of a second or more. */
    public int requestsPerPeriod() {
        if (!limited()) {
            return Integer.MAX_VALUE;
        }
        return requestsPerSecond >= 1 ? (int) Math.floor(requestsPerSecond) : 1;
    }

    public long periodMillis() {
        if (!limited() || requestsPerSecond >= 1) {
            return 1000;
        }
        return (long) Math.ceil(1000 / requestsPerSecond);
    }
}
