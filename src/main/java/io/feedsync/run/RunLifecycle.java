package io.feedsync.run;

import java.time.Duration;
import java.time.Instant;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedDefinition;
import io.feedsync.store.RecordHashes;
import io.feedsync.store.SeenKeys;
import io.feedsync.store.StoreRun;
import io.feedsync.store.TargetTables;
import io.feedsync.store.Watermarks;
import io.feedsync.upstream.FailureClass;

/** The start and finish steps of the sync route: the run's log lines, its final row, its lock. */
@Component("runLifecycle")
public class RunLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RunLifecycle.class);

    private final RunLedger ledger;
    private final ApplicationEventPublisher events;
    private final Watermarks watermarks;
    private final RecordHashes recordHashes;
    private final SeenKeys seenKeys;
    private final TargetTables targetTables;
    private final RunStops stops;
    private final ParentCheckpoints parentCheckpoints;

    public RunLifecycle(RunLedger ledger, ApplicationEventPublisher events, Watermarks watermarks,
                        RecordHashes recordHashes, SeenKeys seenKeys, TargetTables targetTables, RunStops stops,
                        ParentCheckpoints parentCheckpoints) {
        this.stops = stops;
        this.parentCheckpoints = parentCheckpoints;
        this.seenKeys = seenKeys;
        this.targetTables = targetTables;
        this.ledger = ledger;
        this.events = events;
        this.watermarks = watermarks;
        this.recordHashes = recordHashes;
    }

    public void started(@ExchangeProperty(RunState.PROPERTY) RunState run) {
        RunRequest request = run.request();
        log.info("Feed {} run {} started: trigger={} by={} mode={} dryRun={}{}", run.feed().name(), run.runId(),
                request.trigger().value(), request.triggeredBy(), request.mode().value(), request.dryRun(), request.range() == null ? ""
                        : " since=" + request.range().since() + (request.range().until() == null ? ""
                        : " until=" + request.range().until()));
        // a target table created after startup is found here, one dropped since is made again (or
        // reported missing); one still missing fails the run
        targetTables.current(run.feed().name());
    }

    /**
     * Every page written: opens the run's final transaction (exchange property
     * {@value StoreRun#FINAL_TRANSACTION}), in which the soft-deletes and miss counts are written and
     * which {@link #succeeded} commits with the run's row, so that a run fails or succeeds with them.
     */
    public void finishing(Exchange exchange) {
        RunState run = exchange.getProperty(RunState.PROPERTY, RunState.class);
        exchange.setProperty(StoreRun.FINAL_TRANSACTION, run.lock().finalTransaction());
    }

    public void succeeded(@ExchangeProperty(RunState.PROPERTY) RunState run) {
        String watermark = run.nextWatermark(run.feed().onRecordFailure() == FeedDefinition.OnRecordFailure.PIN_WATERMARK);
        run.lock().releaseAfter(session -> {
            if (watermark != null && !watermark.equals(run.startWatermark()) && !run.request().dryRun()) {
                watermarks.advance(session, run.feed().name(), watermark, run.runId());
            }
            ledger.finish(session, run, RunStatus.SUCCEEDED, null);
        });
        forgetSeenKeys(run);
        publish(run, RunStatus.SUCCEEDED, null);
        log.info("Feed {} run {} SUCCEEDED in {}: {}", run.feed().name(), run.runId(), elapsed(run), summary(run));
        stops.ended(run);
    }

    /**
     * The run failed, or was stopped: cancelled (CANCELLED), or by its node shutting down (FAILED,
     * transient). A transient failure while the run was asked to stop (a page that failed while it
     * stopped, a retry it no longer waited for) is the stop's.
     */
    public void failed(Exchange exchange) {
        RunState run = exchange.getProperty(RunState.PROPERTY, RunState.class);
        try {
            end(run, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        } finally {
            stops.ended(run);
        }
    }

    private void end(RunState run, Throwable failure) {
        // chunks already queued are written (or, after a write failure, skipped) before the run ends
        run.writes().awaitAll();
        if (run.parents() != null) {
            parentCheckpoints.failing(run);
        }
        RunError classified = RunErrors.classify(failure, run.pageUrl());
        RunStop stop = run.stopRequested();
        boolean stopped = stop != null && (failure instanceof RunCancelledException
                || failure instanceof NodeStoppingException || classified.failureClass() == FailureClass.TRANSIENT);
        RunStatus status = stopped ? stop.status() : RunStatus.FAILED;
        RunError error = stopped ? stop.error(run.pages()) : classified;
        // soft-deletes and miss counts written before the failure go with it
        run.discardFinalWrites();
        try {
            run.lock().releaseAfter(session -> ledger.finish(session, run, status, error));
        } catch (RuntimeException lockGone) {
            finishWithoutLock(run, status, error);
        }
        // a run the next one may resume keeps its seen keys for it (the next run drops them otherwise)
        boolean resumable = error.failureClass() == FailureClass.TRANSIENT && run.request().checkpoints()
                && (run.parents() == null ? run.writes().committedPages() > 0 : run.parents().checkpoint() != null);
        if (!resumable) {
            forgetSeenKeys(run);
        }
        publish(run, status, error);
        log.warn("Feed {} run {} {} ({}{}) in {}: {}; {}", run.feed().name(), run.runId(), status, error.failureClass(),
                error.httpStatus() == null ? "" : " HTTP " + error.httpStatus(), elapsed(run), error.message(),
                summary(run));
    }

    /**
     * The lock's session ended with the database connection (the database restarted or the
     * connection broke), and the lock with it: the row is written through the pool if the database
     * is back; if not, it stays RUNNING until the feed's next run marks it ABANDONED.
     */
    private void finishWithoutLock(RunState run, RunStatus status, RunError error) {
        try {
            ledger.finishWithoutLock(run, status, error);
        } catch (RuntimeException unavailable) {
            log.warn("Feed {} run {}: could not record its failure ({}); the feed's next run will mark it ABANDONED",
                    run.feed().name(), run.runId(), unavailable.getMessage());
        }
    }

    private void forgetSeenKeys(RunState run) {
        try {
            seenKeys.forget(run.runId());
        } catch (RuntimeException unavailable) {
            log.warn("Feed {} run {}: could not drop its seen keys ({}); the feed's next run does",
                    run.feed().name(), run.runId(), unavailable.getMessage());
        }
    }

    private void publish(RunState run, RunStatus status, RunError error) {
        recordHashes.release(run.store());
        events.publishEvent(new RunFinished(run.feed().name(), run.runId(), status, run.request(), run.counts(),
                run.pages(), Duration.between(run.startedAt(), Instant.now()), error));
    }

    static String summary(RunState run) {
        RunCounts c = run.counts();
        ParentCounts p = run.parents() == null ? null : run.parents().counts();
        return "pages=" + run.pages() + " fetched=" + c.fetched() + " inserted=" + c.inserted() + " updated="
                + c.updated() + " unchanged=" + c.unchanged() + " deleted=" + c.deleted() + " deadLettered="
                + c.deadLettered() + (c.pendingDeletes() == 0 ? "" : " pendingDeletes=" + c.pendingDeletes())
                + (p == null ? "" : " parents=" + p.total() + " parentsFetched=" + p.fetched() + " parentsNotFound="
                + p.notFound() + " parentsFailed=" + p.failed());
    }

    private static String elapsed(RunState run) {
        Duration elapsed = Duration.between(run.startedAt(), Instant.now());
        return elapsed.toMillis() + " ms";
    }
}
