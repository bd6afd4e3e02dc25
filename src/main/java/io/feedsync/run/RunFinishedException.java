package io.feedsync.run;

/** A run that has already ended cannot be cancelled (409 run_finished). */
public class RunFinishedException extends RuntimeException {

    private final long runId;

    public RunFinishedException(RunRecord run) {
        super("run " + run.runId() + " of feed '" + run.feed() + "' already ended " + run.status()
                + (run.finishedAt() == null ? "" : " at " + run.finishedAt())
                + "; only a QUEUED or RUNNING run can be cancelled");
        this.runId = run.runId();
    }

    public long runId() {
        return runId;
    }
}
