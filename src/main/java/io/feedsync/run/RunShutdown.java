package io.feedsync.run;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Ends this node's runs when it shuts down (SIGTERM, Ctrl-C), within
 * {@code spring.lifecycle.timeout-per-shutdown-phase}, whatever they are doing: the runs still QUEUED
 * here end SKIPPED, the others are asked to stop ({@link RunStops#stopAll}) — at once if they wait
 * before a retry, at their next page otherwise, and a page request still under way after half that
 * time is aborted. Each is recorded FAILED (transient, "feedsync is shutting down…"), its checkpoint
 * kept for the feed's next run. This happens in the shutdown phase just before the Camel context
 * stops (the web server has stopped taking requests, the timers have stopped), while the database is
 * still there to record it.
 */
@Component
public class RunShutdown implements SmartLifecycle {

    /**
     * Just before the Camel context's phase (SpringCamelContext's is {@code Integer.MAX_VALUE - 2049}),
     * with the web server's stop, after its graceful shutdown. Not read from the context: a lifecycle
     * bean that depends on the Camel context has Spring start that context before its routes are loaded.
     */
    static final int PHASE = Integer.MAX_VALUE - 2048;

    private final RunStops stops;
    private final RunGuard guard;
    private final Duration within;
    private volatile boolean running;

    public RunShutdown(RunStops stops, RunGuard guard,
                       @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") Duration within) {
        this.stops = stops;
        this.guard = guard;
        this.within = within;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        guard.skipQueuedHere();
        // a little under the phase's time, so that the phase ends by its own account, not by timing out
        stops.stopAll(RunStop.SHUTDOWN, within.multipliedBy(9).dividedBy(10));
    }

    @Override
    public void stop(Runnable callback) {
        Thread stopping = new Thread(() -> {
            try {
                stop();
            } finally {
                callback.run();
            }
        }, "feedsync-run-shutdown");
        stopping.setDaemon(true);
        stopping.start();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
