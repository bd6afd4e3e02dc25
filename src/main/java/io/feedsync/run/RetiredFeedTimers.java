package io.feedsync.run;

import java.util.Set;
import java.util.stream.Collectors;

import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.config.StoredFeeds;

/**
 * The clustered job store outlives deployments: the trigger of a feed that was removed from the
 * configuration, or lost its schedule, would stay stored and keep firing on nothing. Once the
 * timers are up, triggers of the feed timers' group that no schedule claims — of this node's
 * configuration, or of a feed defined over the API (known to the database, so every node keeps them) —
 * are removed.
 */
@Component
@ConditionalOnProperty(name = "feedsync.scheduling.enabled", havingValue = "true", matchIfMissing = true)
public class RetiredFeedTimers {

    /** The Quartz trigger group of every feed timer ({@code routes/triggers.yaml}). */
    public static final String TRIGGER_GROUP = "feedsync";

    private static final Logger log = LoggerFactory.getLogger(RetiredFeedTimers.class);

    private final FeedCatalog catalog;
    private final Scheduler quartz;
    private final StoredFeeds stored;

    public RetiredFeedTimers(FeedCatalog catalog, Scheduler quartz, StoredFeeds stored) {
        this.catalog = catalog;
        this.quartz = quartz;
        this.stored = stored;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void retire() throws SchedulerException {
        Set<String> scheduled = catalog.configured().stream().filter(FeedDefinition::scheduled)
                .map(FeedDefinition::name).collect(Collectors.toSet());
        stored.current().values().stream().filter(feed -> !feed.definition().path("schedule").asText("").isBlank())
                .forEach(feed -> scheduled.add(feed.feed()));
        for (TriggerKey trigger : quartz.getTriggerKeys(GroupMatcher.triggerGroupEquals(TRIGGER_GROUP))) {
            if (!scheduled.contains(trigger.getName()) && quartz.unscheduleJob(trigger)) {
                log.info("Feed {}: its timer is no longer configured; removed its stored trigger", trigger.getName());
            }
        }
    }
}
