package io.feedsync.run;

/**
 * Where a run stands. A run waits QUEUED for a slot of its node (feedsync.max-concurrent-runs), then
 * is RUNNING. A run left RUNNING by a node that died, or QUEUED by one, becomes ABANDONED; a queued run
 * whose feed another node took meanwhile (or that was paused or deleted) ends SKIPPED without running.
 * A run an operator cancelled ends CANCELLED: at once if it was QUEUED, at its next page or retry wait
 * if it was RUNNING (see {@link RunCancels}).
 */
public enum RunStatus {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    ABANDONED,
    SKIPPED,
    CANCELLED
}
