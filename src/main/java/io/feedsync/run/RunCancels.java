package io.feedsync.run;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Cancelling runs, on whichever node they run: {@code POST /api/runs/{id}/cancel}, the MBean
 * {@code feedsync:type=Feeds}, pausing or deleting a feed. The request is recorded on the run's row
 * ({@link RunLedger#requestCancel}): a QUEUED run ends CANCELLED at once and never starts; a RUNNING
 * one is told at once if it runs on this node, else its node reads the request after its next page or
 * within a tick of its wait before a retry ({@link RunStops}). Either way it ends CANCELLED with nothing
 * soft-deleted, its watermark where it was and its checkpoint kept: the feed's next run resumes it.
 */
@Component
public class RunCancels {

    private static final Logger log = LoggerFactory.getLogger(RunCancels.class);

    private final RunLedger ledger;
    private final RunStops stops;

    public RunCancels(RunLedger ledger, RunStops stops) {
        this.ledger = ledger;
        this.stops = stops;
    }

    /**
     * Cancels the run {@code runId} (it must exist) for {@code reason} (what its error will say), asked
     * by {@code by}; answers the run as it stands now. A run already ended is refused.
     */
    public RunRecord cancel(long runId, String by, String reason) {
        Optional<RunStatus> now = ledger.requestCancel(runId, by, reason);
        if (now.isEmpty()) {
            throw new RunFinishedException(ledger.find(runId).orElseThrow());
        }
        cancelled(runId, now.get(), RunStop.cancel(by, reason));
        return ledger.find(runId).orElseThrow();
    }

    /** Cancels every QUEUED and RUNNING run of the feed, on any node; the runs it asked to stop, by id. */
    public List<Long> cancelFeed(String feed, String by, String reason) {
        Map<Long, RunStatus> runs = ledger.requestCancelOfFeed(feed, by, reason);
        runs.forEach((runId, status) -> cancelled(runId, status, RunStop.cancel(by, reason)));
        return List.copyOf(runs.keySet());
    }

    private void cancelled(long runId, RunStatus status, RunStop stop) {
        if (status == RunStatus.CANCELLED) {
            log.info("Run {} CANCELLED before it started: {}", runId, stop.reason());
        } else if (stops.stop(runId, stop)) {
            log.info("Run {}: {}; it stops at its next page or retry wait", runId, stop.reason());
        } else {
            log.info("Run {}: {}; its node stops it at its next page or retry wait", runId, stop.reason());
        }
    }
}
