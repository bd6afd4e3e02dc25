package io.feedsync.run;

import java.util.List;

import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedConfigException;
import io.feedsync.config.FeedDefinition;
import io.feedsync.config.FeedFamilies;

/**
 * {@code for-each.after-parent}: each successful run of a feed (not a dry run, a drift check, a replay, or a
 * command-line run) starts a run
 * of each of its child feeds that asks for it, through the after-parent route (routes/triggers.yaml),
 * queued like any run — a changed-only child then reads just the parents that run changed.
 */
@Component
public class AfterParentRuns {

    private static final Logger log = LoggerFactory.getLogger(AfterParentRuns.class);

    private final FeedCatalog catalog;
    private final ProducerTemplate producer;

    public AfterParentRuns(FeedCatalog catalog, ProducerTemplate producer) {
        this.catalog = catalog;
        this.producer = producer;
    }

    /**
     * Two definitions stored at once on two nodes can make a cycle that neither saw; its feeds would start
     * each other without end. Such a child is not started, and says so.
     */
    private boolean inCycle(FeedDefinition child) {
        List<FeedConfigException> problems = FeedFamilies.problems(child, catalog::find);
        if (problems.isEmpty()) {
            return false;
        }
        log.error("Feed {}: not run after its parent: {}", child.name(), problems.get(0).getMessage());
        return true;
    }

    @EventListener
    public void parentFinished(RunFinished finished) {
        // a command-line run's JVM ends with it: a child queued there would wait for no one
        if (finished.status() != RunStatus.SUCCEEDED || finished.request().dryRun()
                || finished.request().trigger() == RunTrigger.DRIFT || finished.request().trigger() == RunTrigger.REPLAY
                || finished.request().trigger() == RunTrigger.CLI) {
            return;
        }
        for (FeedDefinition child : catalog.all()) {
            if (child.source().forEach() != null && child.source().forEach().afterParent()
                    && child.source().forEach().feed().equals(finished.feed()) && !inCycle(child)) {
                producer.sendBody("direct:after-parent", new RunRequest(child.name(), RunTrigger.PARENT, child.mode(),
                        false, false).by("parent " + finished.feed() + " run " + finished.runId()));
            }
        }
    }
}
