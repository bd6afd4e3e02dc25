package io.feedsync.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.quartz.SchedulerException;
import org.springframework.stereotype.Component;

import io.feedsync.api.security.FeedScope;
import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.run.FeedPause;
import io.feedsync.run.FeedPauses;
import io.feedsync.run.FeedTimers;
import io.feedsync.run.RunLedger;
import io.feedsync.run.RunRecord;
import io.feedsync.run.QueuedRun;
import io.feedsync.run.RunTrigger;
import io.feedsync.store.DeadLetter;
import io.feedsync.store.DeadLetters;
import io.feedsync.store.Watermarks;

/** Shapes what the API answers: status codes, Location headers and the JSON bodies docs/api.md describes. */
@Component("apiResponses")
public class ApiResponses {

    private final FeedCatalog catalog;
    private final RunLedger ledger;
    private final Watermarks watermarks;
    private final DeadLetters deadLetters;
    private final FeedPauses pauses;
    private final FeedTimers timers;
    private final AuditTrail audit;

    public ApiResponses(FeedCatalog catalog, RunLedger ledger, Watermarks watermarks, DeadLetters deadLetters,
                        FeedPauses pauses, FeedTimers timers, AuditTrail audit) {
        this.pauses = pauses;
        this.audit = audit;
        this.timers = timers;
        this.catalog = catalog;
        this.ledger = ledger;
        this.watermarks = watermarks;
        this.deadLetters = deadLetters;
    }

    /**
     * 202 for a run just admitted, pointing at where to follow it: a drift check at its result, others
     * at the run. It is QUEUED until a slot of the node's run pool is its (at once when one is free).
     */
    public RunAccepted accepted(Exchange exchange) {
        QueuedRun run = exchange.getProperty(QueuedRun.PROPERTY, QueuedRun.class);
        Message message = exchange.getMessage();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        boolean drift = run.request().trigger() == RunTrigger.DRIFT;
        message.setHeader("Location", "/api/runs/" + run.runId() + (drift ? "/drift" : ""));
        return new RunAccepted(run.runId(), run.request().feed(), "QUEUED");
    }

    /** The run, unless it is of a feed the caller does not see: then, as for any unknown run, 404. */
    public RunView run(long runId, FeedScope scope) {
        return RunView.of(find(runId, scope));
    }

    /** A finished run as {@code GET /api/runs/{id}} shows it to an unscoped caller, for its notifications. */
    public RunView finishedRun(@Body long runId) {
        return run(runId, FeedScope.ALL);
    }

    public List<RunView> history(String feed, int limit) {
        catalog.get(feed);
        return ledger.history(feed, limit).stream().map(RunView::of).toList();
    }

    /** The drift check that is run {@code runId}; 404 for a run that is not one, or of a feed the caller does not see. */
    public DriftView drift(long runId, FeedScope scope) {
        RunRecord run = find(runId, scope);
        if (!RunTrigger.DRIFT.value().equals(run.trigger())) {
            throw new NotFoundException("run " + runId + " is not a drift check (its trigger is " + run.trigger() + ")");
        }
        return DriftView.of(run);
    }

    /** The feed's newest drift check, running or finished; 404 before the first. */
    public DriftView latestDrift(String feed) {
        catalog.get(feed);
        return ledger.latest(feed, RunTrigger.DRIFT).map(DriftView::of)
                .orElseThrow(() -> new NotFoundException("feed '" + feed + "' has had no drift check yet; "
                        + "start one with POST /api/feeds/" + feed + "/drift"));
    }

    public List<DeadLetter> deadLetters(String feed, int limit) {
        catalog.get(feed);
        return deadLetters.list(feed, limit);
    }

    /** The feeds the caller sees: each fact read once for all of them (a constant number of queries). */
    public List<FeedView> feeds(FeedScope scope) throws SchedulerException {
        List<FeedDefinition> seen = catalog.all().stream().filter(feed -> scope.sees(feed.name())).toList();
        Map<String, FeedPause> paused = pauses.all();
        Map<String, RunRecord> lastRuns = ledger.latestOfEach(seen.stream().map(FeedDefinition::name).toList());
        Map<String, String> marks = watermarks.all();
        Map<String, Instant> nextFires = timers.nextFires();
        return seen.stream().map(feed -> view(feed, feed.scheduled() ? nextFires.get(feed.name()) : null,
                lastRuns.get(feed.name()), marks.get(feed.name()), paused.get(feed.name()))).toList();
    }

    /** {@code POST /api/feeds/{feed}/pause}: the feed's pause (the first one, if it was paused already). */
    public PauseView pause(String feed, String reason, String caller, Exchange exchange) {
        return PauseView.of(feed, audit.together(exchange, () -> pauses.pause(feed, caller, reason), pause -> 200));
    }

    /** {@code POST /api/feeds/{feed}/resume}: the feed, no longer paused. */
    public PauseView resume(String feed, String caller, Exchange exchange) {
        audit.together(exchange, () -> pauses.resume(feed, caller), resumed -> 200);
        return PauseView.of(feed, null);
    }

    private RunRecord find(long runId, FeedScope scope) {
        return ledger.find(runId).filter(run -> scope.sees(run.feed()))
                .orElseThrow(() -> new NotFoundException("no run with id " + runId));
    }

    private FeedView view(FeedDefinition feed, Instant nextFire, RunRecord lastRun, String watermark, FeedPause pause) {
        return new FeedView(feed.name(), catalog.isConfigured(feed.name()) ? "config" : "api", feed.schedule(), nextFire,
                feed.mode().value(), feed.target().table(), lastRun == null ? null : RunView.of(lastRun), watermark,
                PauseView.of(feed.name(), pause), feed.tags());
    }
}
