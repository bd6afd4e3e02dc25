package io.feedsync.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.api.security.FeedScope;
import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedFamilies;
import io.feedsync.config.FeedDefinition;
import io.feedsync.config.UnknownFeedException;
import io.feedsync.run.FeedBusyException;
import io.feedsync.run.FeedPausedException;
import io.feedsync.run.QueuedRun;
import io.feedsync.run.RunBatches;
import io.feedsync.run.RunBatches.Entry;
import io.feedsync.run.RunBatches.NotStarted;
import io.feedsync.run.RunRequest;
import io.feedsync.run.RunTrigger;

/**
 * Batch refresh: {@code POST /api/runs} starts a run of each feed named, or of each feed carrying a
 * tag, through run-start as any REST run (so each waits its turn in the node's run pool), and keeps the
 * batch; {@code GET /api/batches/{id}} shows it with its runs' statuses now. A scoped key's batch names
 * only its feeds: by tag, the feeds it does not see are left out; named, they are reported not_found,
 * exactly as names that are no feed, so that no other feed's name leaks. A scoped key sees only the
 * batches it created; other callers see every batch.
 */
@Component("batchRuns")
public class BatchRuns {

    private final ApiRequests requests;
    private final FeedCatalog catalog;
    private final ProducerTemplate producer;
    private final RunBatches batches;
    private final AuditTrail audit;

    public BatchRuns(ApiRequests requests, FeedCatalog catalog, ProducerTemplate producer, RunBatches batches,
                     AuditTrail audit) {
        this.requests = requests;
        this.catalog = catalog;
        this.producer = producer;
        this.batches = batches;
        this.audit = audit;
    }

    public BatchView start(Exchange exchange) {
        ApiRequests.BatchRequest request = requests.batchRequest(exchange);
        FeedScope scope = requests.scope(exchange);
        String caller = requests.caller(exchange);
        // by tag: parent feeds are queued before their child feeds (source.for-each)
        List<String> names = request.feeds() != null ? request.feeds()
                : FeedFamilies.parentsFirst(catalog.all().stream()
                        .filter(feed -> feed.tagged(request.tag()) && scope.sees(feed.name())).toList())
                .stream().map(FeedDefinition::name).toList();
        if (names.isEmpty()) {
            throw new BadRequestException("no feed carries tag '" + request.tag() + "'");
        }
        List<Entry> entries = new ArrayList<>();
        for (String name : names) {
            entries.add(scope.sees(name) && catalog.contains(name) ? start(name, request, caller)
                    : Entry.notStarted(name, NotStarted.NOT_FOUND));
        }
        long id = audit.togetherWithBatch(exchange,
                () -> batches.store(caller, scope.limited(), request.json().toString(), entries));
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        exchange.getMessage().setHeader("Location", "/api/batches/" + id);
        return BatchView.of(batches.find(id).orElseThrow());
    }

    /** The batch, unless the caller is a scoped key that did not create it: then, as for any unknown batch, 404. */
    public BatchView find(@Header("id") String id, Exchange exchange) {
        long batchId;
        try {
            batchId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new BadRequestException("a batch id is a whole number, not '" + id + "'");
        }
        FeedScope scope = requests.scope(exchange);
        String caller = requests.caller(exchange);
        return batches.find(batchId).filter(batch -> !scope.limited() || batch.scoped() && batch.createdBy().equals(caller))
                .map(BatchView::of).orElseThrow(() -> new NotFoundException("no batch with id " + id));
    }

    private Entry start(String name, ApiRequests.BatchRequest request, String caller) {
        FeedDefinition feed = catalog.get(name);
        RunRequest run = new RunRequest(name, RunTrigger.REST, request.mode() == null ? feed.mode() : request.mode(),
                request.dryRun(), request.confirm()).by(caller);
        Exchange started = producer.send("direct:run-start", exchange -> exchange.getIn().setBody(run));
        Exception failure = started.getException();
        if (failure == null) {
            return Entry.started(name, started.getProperty(QueuedRun.PROPERTY, QueuedRun.class).runId());
        }
        if (failure instanceof FeedBusyException) {
            return Entry.notStarted(name, NotStarted.RUNNING);
        }
        if (failure instanceof FeedPausedException) {
            return Entry.notStarted(name, NotStarted.PAUSED);
        }
        if (failure instanceof UnknownFeedException) {
            return Entry.notStarted(name, NotStarted.NOT_FOUND);
        }
        throw failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
    }
}
