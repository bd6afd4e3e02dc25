package io.feedsync.run;

import org.apache.camel.ProducerTemplate;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;

/**
 * {@code for-each.after-parent}: each successful run of a feed (not a dry run or a drift check) starts a run
 * of each of its child feeds that asks for it, through the after-parent route (routes/triggers.yaml),
 * queued like any run — a changed-only child then reads just the parents that run changed.
 */
@Component
public class AfterParentRuns {

    private final FeedCatalog catalog;
    private final ProducerTemplate producer;

    public AfterParentRuns(FeedCatalog catalog, ProducerTemplate producer) {
        this.catalog = catalog;
        this.producer = producer;
    }

    @EventListener
    public void parentFinished(RunFinished finished) {
        if (finished.status() != RunStatus.SUCCEEDED || finished.request().dryRun()
                || finished.request().trigger() == RunTrigger.DRIFT || finished.request().trigger() == RunTrigger.REPLAY) {
            return;
        }
        for (FeedDefinition child : catalog.all()) {
            if (child.source().forEach() != null && child.source().forEach().afterParent()
                    && child.source().forEach().feed().equals(finished.feed())) {
                producer.sendBody("direct:after-parent", new RunRequest(child.name(), RunTrigger.PARENT, child.mode(),
                        false, false).by("parent " + finished.feed() + " run " + finished.runId()));
            }
        }
    }
}
