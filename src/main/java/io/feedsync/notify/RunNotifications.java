package io.feedsync.notify;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.run.RunFinished;
import io.feedsync.run.RunStatus;

/**
 * Hands each finished run of a feed with {@code notify.runs} (only the failed and abandoned ones
 * with {@code runs-on: failure}) to the {@code run-notify} route, which sends the run as the API
 * shows it to those endpoints. The run's thread does not wait for them.
 */
@Component
public class RunNotifications {

    /** The exchange property that carries the endpoints of the run's feed's {@code notify.runs}. */
    public static final String ENDPOINTS = "feedsyncRunEndpoints";

    private static final Logger log = LoggerFactory.getLogger(RunNotifications.class);

    private final FeedCatalog catalog;
    private final ProducerTemplate producer;
    private final WebhookEndpoints webhooks;

    public RunNotifications(FeedCatalog catalog, ProducerTemplate producer, WebhookEndpoints webhooks) {
        this.catalog = catalog;
        this.producer = producer;
        this.webhooks = webhooks;
    }

    @EventListener
    public void runFinished(RunFinished run) {
        if (!catalog.contains(run.feed())) {
            return;
        }
        FeedDefinition.Notify notify = catalog.get(run.feed()).notifications();
        if (notify == null || notify.runs().isEmpty()
                || notify.runsOnFailureOnly() && run.status() == RunStatus.SUCCEEDED) {
            return;
        }
        Exchange queued = producer.send("seda:run-notify", exchange -> {
            exchange.setProperty(ChangeDeliveries.FEED, run.feed());
            exchange.setProperty(ENDPOINTS, notify.runs().stream().map(uri -> webhooks.uri(run.feed(), uri)).toList());
            exchange.getMessage().setBody(run.runId());
        });
        if (queued.getException() != null) {
            log.warn("Feed {} run {}: its notification could not be queued: {}", run.feed(), run.runId(),
                    queued.getException().getMessage());
        }
    }
}
