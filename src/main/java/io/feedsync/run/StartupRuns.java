package io.feedsync.run;

import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;

/**
 * Once the application is up: sweeps runs left RUNNING by a node that died, then starts the
 * feeds with {@code run-on-startup: true} — configured ones and those defined over the API, which
 * {@link DefinitionChanges} has loaded by then. (Defining or changing a feed over the API starts no run:
 * it is a node's start that does.) A paused feed is skipped, as its timer would be.
 */
@Component
@ConditionalOnProperty(name = "feedsync.scheduling.enabled", havingValue = "true", matchIfMissing = true)
public class StartupRuns {

    private static final Logger log = LoggerFactory.getLogger(StartupRuns.class);

    private final FeedCatalog catalog;
    private final RunGuard guard;
    private final ProducerTemplate producer;

    public StartupRuns(FeedCatalog catalog, RunGuard guard, ProducerTemplate producer) {
        this.catalog = catalog;
        this.guard = guard;
        this.producer = producer;
    }

    @EventListener(ApplicationReadyEvent.class)
    @Order(DefinitionChanges.FOLLOW_FIRST + 1)
    public void onReady() {
        guard.sweepAbandoned();
        for (FeedDefinition feed : catalog.all()) {
            if (feed.runOnStartup()) {
                try {
                    producer.sendBody("direct:run-start",
                            new RunRequest(feed.name(), RunTrigger.TIMER, feed.mode(), false, false));
                } catch (RuntimeException e) {
                    log.warn("Feed {}: startup run not started: {}", feed.name(), e.getMessage());
                }
            }
        }
    }
}
