package io.feedsync.run;

import io.feedsync.upstream.FailureClass;

/**
 * Why a run is asked to stop before its end: an operator cancelled it ({@code cancel}: over the API
 * or JMX, by pausing or deleting its feed, Ctrl-C on the command line), or its node is shutting down.
 * Either way it stops at its next page or during its wait before a retry, keeps its checkpoint, and
 * the feed's next run resumes it: a cancelled run ends CANCELLED, one its node stopped FAILED
 * (transient). {@code by}: who asked, null for a shutdown; {@code reason}: what the run's error says.
 */
public record RunStop(boolean cancel, String by, String reason) {

    /** The node is shutting down (SIGTERM, Ctrl-C of a server). */
    public static final RunStop SHUTDOWN = new RunStop(false, null, "feedsync is shutting down");

    public static RunStop cancel(String by, String reason) {
        return new RunStop(true, by, reason);
    }

    RunStatus status() {
        return cancel ? RunStatus.CANCELLED : RunStatus.FAILED;
    }

    /** What the run's row records: transient, the next run resumes it. */
    RunError error(int pages) {
        return new RunError(FailureClass.TRANSIENT, reason + "; the run stopped after page " + pages, null, null);
    }

    /** Thrown between pages: the sync route's error policy ends the run with {@link #error}. */
    RuntimeException exception(int pages) {
        String message = error(pages).message();
        return cancel ? new RunCancelledException(message) : new NodeStoppingException(message);
    }
}
