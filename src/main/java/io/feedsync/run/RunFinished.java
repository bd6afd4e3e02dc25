package io.feedsync.run;

import java.time.Duration;

/**
 * Published (as a Spring application event) when a run has finished and its row is written:
 * metrics, health and notifications listen to it instead of reaching into the route.
 */
public record RunFinished(String feed, long runId, RunStatus status, RunRequest request, RunCounts counts,
                          int pages, Duration duration, RunError error) {
}
