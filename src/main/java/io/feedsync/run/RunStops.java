package io.feedsync.run;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.Endpoint;
import org.apache.camel.component.http.HttpEndpoint;
import org.apache.hc.client5.http.io.HttpClientConnectionManager;
import org.apache.hc.core5.io.CloseMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * The runs under way on this node, and how each is made to stop before its end ({@link RunStop}): a
 * run asked to stop ends at its next page ({@link RunGuard#held}) or, if it waits before retrying a
 * page, at once ({@link #sleep}). A run learns that it was cancelled on another node from its own row:
 * after each page, and every {@value #TICK_MILLIS} ms of a wait. When the node stops ({@link #stopAll}),
 * every run is asked to stop; a page request still under way after half the time allowed is aborted
 * (its feed's connections are closed), so that a hanging upstream does not hold the node up.
 */
@org.springframework.stereotype.Component("runStops")
public class RunStops {

    /** How often a run waiting before a retry looks for a cancel recorded by another node. */
    static final long TICK_MILLIS = 1000;
    private static final Logger log = LoggerFactory.getLogger(RunStops.class);

    private final Map<Long, RunState> here = new ConcurrentHashMap<>();
    private final RunLedger ledger;
    private final CamelContext camel;
    /** Set when the node stops its runs: a run that starts after that stops at once. */
    private volatile RunStop nodeStop;

    public RunStops(RunLedger ledger, CamelContext camel) {
        this.ledger = ledger;
        this.camel = camel;
    }

    /** The run started on this node. */
    void started(RunState run) {
        here.put(run.runId(), run);
        RunStop stop = nodeStop;
        if (stop != null) {
            run.stop(stop);
        }
    }

    /** The run ended (or never got going). */
    void ended(RunState run) {
        here.remove(run.runId(), run);
    }

    /** Asks the run to stop if it runs on this node; false if it does not (another node sees its row). */
    boolean stop(long runId, RunStop why) {
        RunState run = here.get(runId);
        if (run == null) {
            return false;
        }
        run.stop(why);
        return true;
    }

    /** Whether this node is stopping its runs (shutting down, or a command line interrupted). */
    public boolean stopping() {
        return nodeStop != null;
    }

    /**
     * The wait before a page is tried again: {@code delay}, unless the run is asked to stop meanwhile —
     * by this node (at once) or by a cancel recorded on its row by any node (seen within a tick).
     * False if the run is to stop rather than retry.
     */
    boolean sleep(RunState run, Duration delay) {
        long until = System.nanoTime() + delay.toNanos();
        try {
            while (!stopped(run)) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                if (!run.awaitStop(Math.min(left, Duration.ofMillis(TICK_MILLIS).toNanos()))) {
                    cancelledElsewhere(run);
                }
            }
            return false;
        } catch (InterruptedException e) {
            // Camel's forced shutdown interrupts what is still going: the run stops as at a shutdown
            Thread.currentThread().interrupt();
            run.stop(RunStop.SHUTDOWN);
            return false;
        }
    }

    /** Whether the run is asked to stop; a run whose Camel context is stopping is. */
    boolean stopped(RunState run) {
        if (run.stopRequested() == null && camel.isStopping()) {
            run.stop(RunStop.SHUTDOWN);
        }
        return run.stopRequested() != null;
    }

    private void cancelledElsewhere(RunState run) {
        try {
            ledger.cancelRequest(run.runId()).ifPresent(run::stop);
        } catch (RuntimeException unavailable) {
            // the database is away: the wait goes on, and the next tick looks again
            log.debug("Run {}: could not look for a cancel ({})", run.runId(), unavailable.getMessage());
        }
    }

    /**
     * Stops every run of this node, and any that starts from now on, for {@code why}; returns once they
     * have ended, or after {@code within}. A run still in a page request after half of it has that
     * request aborted: its feed's upstream connections are closed (the node, or the command line, is
     * going away and needs them no more).
     */
    public void stopAll(RunStop why, Duration within) {
        nodeStop = why;
        here.values().forEach(run -> run.stop(why));
        long start = System.nanoTime();
        if (here.isEmpty()) {
            return;
        }
        log.info("Stopping {} run(s) on this node ({}): each at its next page, or at once if it waits to retry",
                here.size(), why.reason());
        if (!awaitNoRuns(start + within.toNanos() / 2)) {
            List<RunState> stuck = List.copyOf(here.values());
            log.warn("{} run(s) still in a page request after {} ms; aborting their upstream requests: {}",
                    stuck.size(), within.toMillis() / 2, stuck);
            stuck.forEach(this::abortRequests);
            if (!awaitNoRuns(start + within.toNanos())) {
                log.warn("{} run(s) did not stop within {} ms: {}", here.size(), within.toMillis(), here.values());
            }
        }
    }

    private boolean awaitNoRuns(long deadline) {
        while (!here.isEmpty()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Closes the connections of the run's feed (its http component's endpoints each have a pool of
     * their own), those in use included: a request reading from one fails at once.
     */
    private void abortRequests(RunState run) {
        Component feedHttp = camel.hasComponent(FeedUpstreams.httpComponentName(run.feed().name()));
        for (Endpoint endpoint : camel.getEndpoints()) {
            if (endpoint instanceof HttpEndpoint http && feedHttp != null && http.getComponent() == feedHttp) {
                HttpClientConnectionManager connections = http.getClientConnectionManager();
                if (connections != null) {
                    connections.close(CloseMode.IMMEDIATE);
                }
            }
        }
    }
}
