package io.feedsync.run;

import java.lang.management.ManagementFactory;

import org.apache.camel.Body;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.store.DeadLetters;
import io.feedsync.store.SeenKeys;
import io.feedsync.store.Watermarks;

/**
 * The guard step: admits a run only if its feed is not paused and it can take the feed's advisory
 * lock, then opens the run's row. Runs found RUNNING while the lock was free belonged to a node that died: they become
 * ABANDONED first.
 */
@Component("runGuard")
public class RunGuard {

    private static final Logger log = LoggerFactory.getLogger(RunGuard.class);
    private static final String NODE = ManagementFactory.getRuntimeMXBean().getName();

    /** One admission of a feed at a time on this node, and none while its routes change. */
    private final java.util.Map<String, Object> admissions = new java.util.concurrent.ConcurrentHashMap<>();
    private final FeedCatalog catalog;
    private final FeedLocks locks;
    private final RunLedger ledger;
    private final Watermarks watermarks;
    private final SeenKeys seenKeys;
    private final DeadLetters deadLetters;
    private final FeedPauses pauses;

    public RunGuard(FeedCatalog catalog, FeedLocks locks, RunLedger ledger, Watermarks watermarks, SeenKeys seenKeys,
                    DeadLetters deadLetters, FeedPauses pauses) {
        this.pauses = pauses;
        this.catalog = catalog;
        this.locks = locks;
        this.ledger = ledger;
        this.watermarks = watermarks;
        this.seenKeys = seenKeys;
        this.deadLetters = deadLetters;
    }

    public RunState admit(@Body RunRequest request, Exchange exchange) {
        synchronized (admission(request.feed())) {
            return admitted(request, exchange);
        }
    }

    /**
     * Runs the change (replacing or removing the feed's routes) unless a run of the feed is under way
     * on this node; no run of it is admitted on this node meanwhile. False if one was under way.
     */
    public boolean unlessRunningHere(String feed, Runnable change) {
        synchronized (admission(feed)) {
            if (ledger.runningOn(feed, NODE)) {
                return false;
            }
            change.run();
            return true;
        }
    }

    private Object admission(String feed) {
        return admissions.computeIfAbsent(feed, name -> new Object());
    }

    private RunState admitted(RunRequest request, Exchange exchange) {
        FeedDefinition feed = catalog.get(request.feed());
        pauses.of(feed.name()).ifPresent(pause -> {
            throw new FeedPausedException(pause);
        });
        FeedLock lock = locks.tryLock(feed.name())
                .orElseThrow(() -> new FeedBusyException(feed.name(), ledger.runningRun(feed.name()).orElse(null)));
        try {
            int abandoned = ledger.abandonStale(feed.name());
            if (abandoned > 0) {
                log.warn("Feed {}: marked {} run(s) ABANDONED; the node running them stopped, or lost the database",
                        feed.name(), abandoned);
            }
            // an unfinished run of the feed (killed, or failed for a transient reason) is resumed
            // from its checkpoint, unless the caller asked for a restart
            RunLedger.Unfinished unfinished = request.mayResume()
                    ? ledger.unfinished(feed.name(), request.mode(), feed.resumeWithin()).orElse(null) : null;
            if (unfinished != null && unfinished.checkpoint().keysSeen() && !seenKeys.any(unfinished.runId())) {
                log.warn("Feed {}: run {} cannot be resumed: the keys it saw are gone (a database crash empties"
                        + " them); the run starts from the first page", feed.name(), unfinished.runId());
                unfinished = null;
            }
            long runId = ledger.open(request, NODE, unfinished == null ? null : unfinished.runId());
            if (unfinished != null) {
                // a resumed full run soft-deletes only what none of its attempts saw
                seenKeys.adopt(unfinished.runId(), runId);
                log.info("Feed {} run {}: resumes run {} after its page {}", feed.name(), runId, unfinished.runId(),
                        unfinished.checkpoint().pages());
            }
            // what runs that could not clean up left behind (a node that died, a database that went away)
            seenKeys.forgetFinished(feed.name());
            RunState run = new RunState(runId, feed, request, lock, watermarks.current(feed.name()).orElse(null),
                    deadLetters.waiting(feed.name()), unfinished == null ? null : unfinished.runId(),
                    unfinished == null ? null : unfinished.checkpoint());
            run.attachTo(exchange);
            return run;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Between pages: the run still holds its feed's lock. The lock lives in a database session; if
     * that ended (the database restarted), another run may already have started, so this one stops.
     * A node that is shutting down ends its runs here too, as failed (transient: the next run does
     * the rest), while their database is still there to record it.
     */
    public void held(@ExchangeProperty(RunState.PROPERTY) RunState run, CamelContext camel) {
        if (!run.lock().isHeld()) {
            throw new FeedLockLostException(run.feed().name());
        }
        if (camel.isStopping()) {
            throw new NodeStoppingException("feedsync is shutting down; the run stopped after page " + run.pages());
        }
    }

    /** At startup, every feed whose lock is free has no live run: sweep its stale RUNNING rows. */
    public void sweepAbandoned() {
        for (FeedDefinition feed : catalog.all()) {
            locks.tryLock(feed.name()).ifPresent(lock -> {
                try (lock) {
                    int abandoned = ledger.abandonStale(feed.name());
                    if (abandoned > 0) {
                        log.warn("Feed {}: marked {} run(s) ABANDONED at startup", feed.name(), abandoned);
                    }
                }
            });
        }
    }
}
