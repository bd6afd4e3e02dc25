package io.feedsync.run;

import io.feedsync.config.RunMode;

/**
 * A request to run a feed once, from the timer, the REST API or the command line. {@code restart}:
 * start from the first page even when an unfinished run of the feed left a checkpoint.
 */
public record RunRequest(String feed, RunTrigger trigger, RunMode mode, boolean dryRun, boolean confirm,
                         boolean restart) {

    public RunRequest(String feed, RunTrigger trigger, RunMode mode, boolean dryRun, boolean confirm) {
        this(feed, trigger, mode, dryRun, confirm, false);
    }

    /** Whether this run keeps a checkpoint that a later run may resume from: a sync that writes. */
    public boolean checkpoints() {
        return !dryRun && (trigger == RunTrigger.TIMER || trigger == RunTrigger.REST || trigger == RunTrigger.CLI);
    }

    /** Whether this run may pick up where an unfinished run of its feed stopped. */
    public boolean mayResume() {
        return checkpoints() && !restart;
    }
}
