package io.feedsync.api;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.quartz.CronExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.config.UnknownFeedException;
import io.feedsync.run.FeedBusyException;
import io.feedsync.run.RunLedger;
import io.feedsync.run.RunRecord;
import io.feedsync.run.RunMode;
import io.feedsync.run.RunRequest;
import io.feedsync.run.RunState;
import io.feedsync.run.RunTrigger;
import io.feedsync.run.RunStatus;
import io.feedsync.store.DatabaseFailure;
import io.feedsync.store.DeadLetter;
import io.feedsync.store.DeadLetters;
import io.feedsync.store.Watermarks;

/** Shapes what the API answers: status codes, Location headers and the JSON bodies of SPEC §3 and §5. */
@Component("apiResponses")
public class ApiResponses {

    private static final Logger log = LoggerFactory.getLogger(ApiResponses.class);

    private final FeedCatalog catalog;
    private final RunLedger ledger;
    private final Watermarks watermarks;

    private final DeadLetters deadLetters;
    private final ProducerTemplate producer;

    public ApiResponses(FeedCatalog catalog, RunLedger ledger, Watermarks watermarks, DeadLetters deadLetters,
                        ProducerTemplate producer) {
        this.deadLetters = deadLetters;
        this.producer = producer;
        this.catalog = catalog;
        this.ledger = ledger;
        this.watermarks = watermarks;
    }

    /** 202 for a run just admitted, pointing at where to follow it. */
    public Map<String, Object> accepted(Exchange exchange) {
        RunState run = exchange.getProperty(RunState.PROPERTY, RunState.class);
        Message message = exchange.getMessage();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        message.setHeader("Location", "/api/runs/" + run.runId());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("runId", run.runId());
        body.put("feed", run.feed().name());
        body.put("status", "RUNNING");
        return body;
    }

    public RunView run(long runId) {
        return ledger.find(runId).map(RunView::of)
                .orElseThrow(() -> new NotFoundException("no run with id " + runId));
    }

    public List<RunView> history(String feed, int limit) {
        catalog.get(feed);
        return ledger.history(feed, limit).stream().map(RunView::of).toList();
    }

    /**
     * The outcome of a drift check: what the table lacks, has extra, and holds differently from
     * the upstream, with sample keys. A check that could not read the upstream answers 502.
     */
    public Map<String, Object> drift(String feed, Exchange exchange) {
        FeedDefinition definition = catalog.get(feed);
        RunRequest request = new RunRequest(definition.name(), RunTrigger.DRIFT, RunMode.FULL, true, false);
        // a run of its own (not a step of this exchange), so that its error policy ends the run, not this answer
        Exchange done = producer.send("direct:run-now", check -> check.getMessage().setBody(request));
        if (done.getException() instanceof RuntimeException refused) {
            throw refused;
        }
        RunState state = done.getProperty(RunState.PROPERTY, RunState.class);
        RunRecord run = ledger.find(state.runId()).orElseThrow();
        Message message = exchange.getMessage();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("feed", run.feed());
        body.put("runId", run.runId());
        if (run.status() != RunStatus.SUCCEEDED) {
            message.setHeader(Exchange.HTTP_RESPONSE_CODE, 502);
            body.put("error", "drift_check_failed");
            body.put("message", run.error() == null ? "the check did not finish" : run.error().message());
            return body;
        }
        body.put("checkedAt", run.finishedAt());
        body.put("upstreamRecords", run.counts().fetched());
        body.put("drift", run.counts().inserted() + run.counts().updated() + run.counts().deleted());
        body.put("missingLocally", Map.of("count", run.counts().inserted(), "sample", run.samples().get("inserted")));
        body.put("extraLocally", Map.of("count", run.counts().deleted(), "sample", run.samples().get("deleted")));
        body.put("different", Map.of("count", run.counts().updated(), "sample", run.samples().get("updated")));
        body.put("same", run.counts().unchanged());
        body.put("invalid", Map.of("count", run.counts().deadLettered(), "sample", run.samples().get("deadLettered")));
        return body;
    }

    public List<DeadLetter> deadLetters(String feed, int limit) {
        catalog.get(feed);
        return deadLetters.list(feed, limit);
    }

    public List<Map<String, Object>> feeds() {
        return catalog.all().stream().map(this::feed).toList();
    }

    private Map<String, Object> feed(FeedDefinition feed) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("feed", feed.name());
        view.put("schedule", feed.schedule());
        view.put("nextFire", nextFire(feed));
        view.put("mode", feed.mode().value());
        view.put("target", feed.target().table());
        view.put("lastRun", ledger.history(feed.name(), 1).stream().findFirst().map(RunView::of).orElse(null));
        view.put("watermark", watermarks.current(feed.name()).orElse(null));
        return view;
    }

    private static Instant nextFire(FeedDefinition feed) {
        if (!feed.scheduled()) {
            return null;
        }
        try {
            return new CronExpression(feed.schedule()).getNextValidTimeAfter(new java.util.Date()).toInstant();
        } catch (java.text.ParseException e) {
            return null;
        }
    }

    /** Maps a failed API call to its status code and a stable {@code {error, message}} body. */
    public Map<String, Object> error(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Map<String, Object> body = new LinkedHashMap<>();
        int status;
        if (failure instanceof BadRequestException) {
            status = 400;
            body.put("error", "bad_request");
        } else if (failure instanceof UnknownFeedException || failure instanceof NotFoundException) {
            status = 404;
            body.put("error", "not_found");
        } else if (failure instanceof FeedBusyException busy) {
            status = 409;
            body.put("error", "feed_running");
            body.put("runId", busy.runningRunId());
        } else if (DatabaseFailure.isTransient(failure)) {
            status = 503;
            body.put("error", "database_unavailable");
            log.warn("API call failed: the database is unavailable or busy ({})", failure.getMessage());
        } else {
            status = 500;
            body.put("error", "internal");
            log.error("API call failed", failure);
        }
        body.put("message", status == 500 ? "internal error; see the feedsync log"
                : status == 503 ? "the database is unavailable or busy; try again shortly" : failure.getMessage());
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        return body;
    }
}
