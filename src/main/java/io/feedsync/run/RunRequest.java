package io.feedsync.run;

import java.time.Instant;

import io.feedsync.config.RunMode;

/**
 * A request to run a feed once, from the timer, the REST API or the command line. {@code restart}:
 * start from the first page even when an unfinished run of the feed left a checkpoint. {@code range}:
 * a selective run of the records in that cursor range (an incremental run), null for a run from
 * the watermark. {@code triggeredBy}: who started it — the API key's or console user's name, or
 * by default the trigger itself ({@code timer}, {@code cli}). {@code fireTime}: the timer fire it
 * runs (a fire runs at most once across the nodes), null for any other run.
 */
public record RunRequest(String feed, RunTrigger trigger, RunMode mode, boolean dryRun, boolean confirm,
                         boolean restart, RunRange range, String triggeredBy, Instant fireTime) {

    public RunRequest {
        if (range != null && mode != RunMode.INCREMENTAL) {
            throw new IllegalArgumentException("a selective run (since..until) is an incremental run");
        }
        triggeredBy = triggeredBy == null ? trigger.value() : triggeredBy;
    }

    public RunRequest(String feed, RunTrigger trigger, RunMode mode, boolean dryRun, boolean confirm,
                      boolean restart, RunRange range, String triggeredBy) {
        this(feed, trigger, mode, dryRun, confirm, restart, range, triggeredBy, null);
    }

    public RunRequest(String feed, RunTrigger trigger, RunMode mode, boolean dryRun, boolean confirm,
                      boolean restart, RunRange range) {
        this(feed, trigger, mode, dryRun, confirm, restart, range, null);
    }

    public RunRequest(String feed, RunTrigger trigger, RunMode mode, boolean dryRun, boolean confirm,
                      boolean restart) {
        this(feed, trigger, mode, dryRun, confirm, restart, null);
    }

    public RunRequest(String feed, RunTrigger trigger, RunMode mode, boolean dryRun, boolean confirm) {
        this(feed, trigger, mode, dryRun, confirm, false);
    }

    /** The same request, started by {@code who} (an API key's or console user's name). */
    public RunRequest by(String who) {
        return new RunRequest(feed, trigger, mode, dryRun, confirm, restart, range, who, fireTime);
    }

    /** The same request, for the timer fire of {@code time}: at most one run per feed and fire time. */
    public RunRequest firedAt(Instant time) {
        return new RunRequest(feed, trigger, mode, dryRun, confirm, restart, range, triggeredBy, time);
    }

    /**
     * Whether this run keeps a checkpoint that a later run may resume from: a sync that writes. A
     * selective run does not: the run resuming it would take its range for the feed's next run.
     */
    public boolean checkpoints() {
        return !dryRun && range == null
                && (trigger == RunTrigger.TIMER || trigger == RunTrigger.REST || trigger == RunTrigger.CLI
                || trigger == RunTrigger.PARENT);
    }

    /** Whether this run may pick up where an unfinished run of its feed stopped; a selective run never does. */
    public boolean mayResume() {
        return checkpoints() && !restart;
    }
}
