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
 * The guard steps of routes/triggers.yaml. {@link #queue} admits a run (the feed is known, not paused,
 * not queued or running already) and opens its row QUEUED, holding nothing: the run waits for a slot
 * of the node's run pool. When its slot frees, {@link #start} takes the feed's advisory lock and
 * makes the row RUNNING; if the feed was taken meanwhile (a command-line run), paused or deleted, the
 * run ends SKIPPED without running. {@link #admit} does both at once, for the command line. Runs found
 * RUNNING while the lock was free, or QUEUED by a node no longer alive, belonged to a node that died:
 * they become ABANDONED first.
 */
@Component("runGuard")
public class RunGuard {

    private static final Logger log = LoggerFactory.getLogger(RunGuard.class);
    private static final String NODE = ManagementFactory.getRuntimeMXBean().getName();
    /** Longer than any node's admission holds a feed's lock to check it; shorter than a run. */
    private static final java.time.Duration ADMISSION_CHECK = java.time.Duration.ofSeconds(2);
    private static final String SHUTTING_DOWN = "feedsync was shutting down when the run's turn came";

    /** One admission of a feed at a time on this node, and none while its routes change. */
    private final java.util.Map<String, Object> admissions = new java.util.concurrent.ConcurrentHashMap<>();
    private final FeedCatalog catalog;
    private final FeedLocks locks;
    private final RunLedger ledger;
    private final Watermarks watermarks;
    private final SeenKeys seenKeys;
    private final DeadLetters deadLetters;
    private final FeedPauses pauses;
    private final LiveNodes nodes;
    private final RunStops stops;
    /** The run of each feed waiting for a slot on this node: one queued-or-running run per feed. */
    private final java.util.Map<String, Long> queued = new java.util.concurrent.ConcurrentHashMap<>();

    public RunGuard(FeedCatalog catalog, FeedLocks locks, RunLedger ledger, Watermarks watermarks, SeenKeys seenKeys,
                    DeadLetters deadLetters, FeedPauses pauses, LiveNodes nodes, RunStops stops) {
        this.stops = stops;
        this.pauses = pauses;
        this.nodes = nodes;
        this.catalog = catalog;
        this.locks = locks;
        this.ledger = ledger;
        this.watermarks = watermarks;
        this.seenKeys = seenKeys;
        this.deadLetters = deadLetters;
    }

    /** The command line's run: admitted and started at once, in the caller's thread. */
    public RunState admit(@Body RunRequest request, Exchange exchange) {
        synchronized (admission(request.feed())) {
            FeedDefinition feed = admissible(request);
            FeedLock lock = locks.tryLock(feed.name()).orElseThrow(() -> busy(feed.name()));
            return begin(feed, request, lock, null, exchange);
        }
    }

    /**
     * Admits a run and queues it: its row is QUEUED and it holds no lock and no connection until
     * {@link #start}. Refused (409) while the feed is queued or running on any node; refused while paused.
     */
    public QueuedRun queue(@Body RunRequest request, Exchange exchange) {
        synchronized (admission(request.feed())) {
            FeedDefinition feed = admissible(request);
            // the lock tells whether a node runs the feed; it is taken again at the run's turn. Held
            // meanwhile, another node admitting the feed at the same moment finds this run QUEUED
            QueuedRun run = locks.whileLocked(feed.name(), () -> {
                // a run queued by a node that died meanwhile no longer holds the feed (stale RUNNING rows are
                // the run's turn to mark, under the same lock: begin)
                if (ledger.abandonQueuedByDeadNodes(feed.name()) > 0) {
                    log.warn("Feed {}: marked its run queued by a stopped node ABANDONED", feed.name());
                }
                RunLedger.Holders holders = ledger.holders(feed.name(), request.fireTime());
                if (holders.firedRun() != null) {
                    throw new FireAlreadyRunException(feed.name(), request.fireTime(), holders.firedRun());
                }
                if (holders.queuedRun() != null) {
                    throw FeedBusyException.queued(feed.name(), holders.queuedRun());
                }
                return new QueuedRun(ledger.queue(request, NODE, nodes.id()), request);
            }).orElseThrow(() -> busy(feed.name()));
            queued.put(feed.name(), run.runId());
            exchange.setProperty(QueuedRun.PROPERTY, run);
            return run;
        }
    }

    /**
     * The queued run's turn (a slot of the run pool is its): takes the feed's lock and makes the row
     * RUNNING, the run then on the exchange. A run whose feed was taken meanwhile (a command-line run), or that was
     * paused or deleted, or a node shutting down, ends SKIPPED instead: nothing is put on the exchange.
     */
    public void start(@ExchangeProperty(QueuedRun.PROPERTY) QueuedRun queuedRun, CamelContext camel,
                      Exchange exchange) {
        String name = queuedRun.request().feed();
        synchronized (admission(name)) {
            queued.remove(name, queuedRun.runId());
            String skipped = null;
            FeedLock lock = null;
            FeedDefinition feed = catalog.find(name).orElse(null);
            if (camel.isStopping() || stops.stopping()) {
                skipped = SHUTTING_DOWN;
            } else if (feed == null) {
                skipped = "the feed was deleted while the run waited";
            } else if (pauses.of(name).isPresent()) {
                skipped = "the feed was paused while the run waited";
            } else {
                // another node's admission holds the lock for a moment: wait that out, not a run
                lock = locks.lockWithin(name, ADMISSION_CHECK).orElse(null);
                if (lock == null) {
                    skipped = "the feed was running elsewhere (another process held its lock) when the run's turn came";
                }
            }
            if (skipped != null) {
                if (ledger.endQueued(queuedRun.runId(), RunStatus.SKIPPED, skipped)) {
                    log.info("Feed {} run {} SKIPPED: {}", name, queuedRun.runId(), skipped);
                } else {
                    log.info("Feed {} run {} had ended while it waited (cancelled, or taken for abandoned)", name,
                            queuedRun.runId());
                }
                return;
            }
            try {
                begin(feed, queuedRun.request(), lock, queuedRun.runId(), exchange);
            } catch (NoLongerQueued cancelled) {
                log.info("Feed {} run {} had ended while it waited (cancelled, or taken for abandoned)", name,
                        queuedRun.runId());
            } catch (RuntimeException e) {
                try {
                    ledger.endQueued(queuedRun.runId(), RunStatus.FAILED, "the run could not start: " + e.getMessage());
                } catch (RuntimeException unavailable) {
                    log.warn("Feed {} run {}: could not record that it did not start ({})", name, queuedRun.runId(),
                            unavailable.getMessage());
                }
                throw e;
            }
        }
    }

    /**
     * The run could not be handed to the run pool (the node is stopping): it is no longer queued here,
     * its row ends FAILED, and the caller gets the failure.
     */
    public void notQueued(@ExchangeProperty(QueuedRun.PROPERTY) QueuedRun queuedRun,
                          @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception failure) throws Exception {
        queued.remove(queuedRun.request().feed(), queuedRun.runId());
        ledger.endQueued(queuedRun.runId(), RunStatus.FAILED, "the run could not be queued: " + failure.getMessage());
        throw failure;
    }

    /** The run left its slot (ran, was skipped, or failed to start): it is no longer queued here. */
    public void left(@ExchangeProperty(QueuedRun.PROPERTY) QueuedRun queuedRun,
                     @ExchangeProperty(RunState.PROPERTY) RunState run) {
        queued.remove(queuedRun.request().feed(), queuedRun.runId());
        if (run != null) {
            stops.ended(run);
        }
    }

    /**
     * The node is shutting down: the runs still waiting QUEUED here end SKIPPED now rather than when
     * their turn comes (which may be after the node has gone).
     */
    public void skipQueuedHere() {
        queued.forEach((feed, runId) -> {
            if (ledger.endQueued(runId, RunStatus.SKIPPED, SHUTTING_DOWN)) {
                log.info("Feed {} run {} SKIPPED: {}", feed, runId, SHUTTING_DOWN);
            }
        });
    }

    /** How many runs wait QUEUED on this node for a slot of its run pool. */
    public int queuedHere() {
        return queued.size();
    }

    /**
     * Runs the change (replacing or removing the feed's routes) unless a run of the feed is under way
     * on this node; no run of it is admitted on this node meanwhile. False if one was under way.
     */
    public boolean unlessRunningHere(String feed, Runnable change) {
        synchronized (admission(feed)) {
            if (queuedHere(feed) != null || ledger.runningOn(feed, NODE)) {
                return false;
            }
            change.run();
            return true;
        }
    }

    private Object admission(String feed) {
        return admissions.computeIfAbsent(feed, name -> new Object());
    }

    private FeedDefinition admissible(RunRequest request) {
        FeedDefinition feed = catalog.get(request.feed());
        pauses.of(feed.name()).ifPresent(pause -> {
            throw new FeedPausedException(pause);
        });
        Long waiting = queuedHere(feed.name());
        if (waiting != null) {
            throw FeedBusyException.queued(feed.name(), waiting);
        }
        return feed;
    }

    /**
     * The feed's run waiting for a slot on this node, if it still waits: one cancelled meanwhile (from any
     * node) is forgotten here at once, not when its turn comes.
     */
    private Long queuedHere(String feed) {
        Long waiting = queued.get(feed);
        if (waiting != null && !ledger.isQueued(waiting)) {
            queued.remove(feed, waiting);
            return null;
        }
        return waiting;
    }

    private FeedBusyException busy(String feed) {
        return new FeedBusyException(feed, ledger.runningRun(feed).orElse(null));
    }

    private void abandonStale(String feed) {
        int abandoned = ledger.abandonStale(feed);
        if (abandoned > 0) {
            log.warn("Feed {}: marked {} run(s) ABANDONED; the node running or queueing them stopped, or lost the database",
                    feed, abandoned);
        }
    }

    /**
     * Starts the run under the feed's lock: its row RUNNING (the queued one {@code queuedRunId}, or a
     * new one), resuming an unfinished run's checkpoint where it may. The lock is released if this fails.
     */
    private RunState begin(FeedDefinition feed, RunRequest request, FeedLock lock, Long queuedRunId, Exchange exchange) {
        try {
            abandonStale(feed.name());
            // an unfinished run of the feed (killed, or failed for a transient reason) is resumed
            // from its checkpoint, unless the caller asked for a restart
            RunLedger.Unfinished unfinished = request.mayResume()
                    ? ledger.unfinished(feed.name(), request.mode(), feed.resumeWithin()).orElse(null) : null;
            String parentFeed = feed.source().forEach() == null ? null : feed.source().forEach().feed();
            if (unfinished != null && !unfinished.checkpoint().fits(parentFeed)) {
                log.warn("Feed {}: run {} cannot be resumed: the feed was redefined since (a child feed now, or no"
                        + " longer, or of another parent); the run starts from the first page", feed.name(),
                        unfinished.runId());
                unfinished = null;
            }
            if (unfinished != null && unfinished.checkpoint().keysSeen() && !seenKeys.any(unfinished.runId())) {
                log.warn("Feed {}: run {} cannot be resumed: the keys it saw are gone (a database crash empties"
                        + " them); the run starts from the first page", feed.name(), unfinished.runId());
                unfinished = null;
            }
            Long resumedFrom = unfinished == null ? null : unfinished.runId();
            long runId = queuedRunId == null ? ledger.open(request, NODE, resumedFrom) : queuedRunId;
            if (queuedRunId != null && !ledger.start(queuedRunId, resumedFrom)) {
                // cancelled, or taken for abandoned, while it waited
                throw new NoLongerQueued();
            }
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
            stops.started(run);
            return run;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Between pages: the run still holds its feed's lock. The lock lives in a database session; if
     * that ended (the database restarted), another run may already have started, so this one stops.
     * A run that was cancelled ends here (CANCELLED), and so do the runs of a node that is shutting down
     * (as failed, transient: the next run does the rest), while their database is still there to record it.
     */
    private static final java.time.Duration CHILD_LOCK_CHECK_EVERY = java.time.Duration.ofMillis(250);

    public void held(@ExchangeProperty(RunState.PROPERTY) RunState run) {
        // a child feed's parents, a page each and many at once, ask the database a few times a second, not
        // once a page each (the check is a round trip on the lock's one connection)
        if ((run.parents() == null || run.lockCheckDue(CHILD_LOCK_CHECK_EVERY)) && !run.lock().isHeld()) {
            throw new FeedLockLostException(run.feed().name());
        }
        if (stops.stopped(run)) {
            throw run.stopRequested().exception(run.pages());
        }
    }

    /**
     * At startup, every feed whose lock is free has no live run: sweep its stale RUNNING rows; and
     * the QUEUED rows of nodes no longer alive, of every feed.
     */
    public void sweepAbandoned() {
        int queuedByDead = ledger.abandonQueuedByDeadNodes(null);
        if (queuedByDead > 0) {
            log.warn("Marked {} queued run(s) ABANDONED at startup: the node that queued them stopped", queuedByDead);
        }
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

    /** The queued run's row is no longer QUEUED: it was cancelled (or taken for abandoned) while it waited. */
    private static final class NoLongerQueued extends RuntimeException {

        NoLongerQueued() {
            super(null, null, false, false);
        }
    }
}
