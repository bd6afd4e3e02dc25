package io.feedsync.run;

/**
 * A run admitted and waiting for a slot ({@code feedsync.max-concurrent-runs}), carried to the
 * run-slot route as the exchange property {@value #PROPERTY}: its QUEUED row and what was asked.
 */
public record QueuedRun(long runId, RunRequest request) {

    public static final String PROPERTY = "feedsyncQueued";
}
