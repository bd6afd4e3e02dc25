package io.feedsync.run;

import java.util.List;
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
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.config.StoredFeeds;

/**
 * The clustered job store outlives deployments: the trigger of a feed that was removed from the
 * configuration, or lost its schedule, would stay stored and keep firing on nothing. Once the
 * timers are up, triggers of the feed timers' group that no schedule claims are removed. A schedule
 * claims its trigger if it is in this node's configuration, in the configuration of another live
 * node (each node records its own in {@code sync_configured_timer}), or of a feed defined over the
 * API — so nodes started with different files no longer remove each other's timers.
 */
@Component
@ConditionalOnProperty(name = "feedsync.scheduling.enabled", havingValue = "true", matchIfMissing = true)
public class RetiredFeedTimers {

    private static final Logger log = LoggerFactory.getLogger(RetiredFeedTimers.class);

    private final FeedCatalog catalog;
    private final Scheduler quartz;
    private final StoredFeeds stored;
    private final JdbcTemplate jdbc;

    public RetiredFeedTimers(FeedCatalog catalog, Scheduler quartz, StoredFeeds stored, JdbcTemplate jdbc) {
        this.catalog = catalog;
        this.quartz = quartz;
        this.stored = stored;
        this.jdbc = jdbc;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void retire() throws SchedulerException {
        Set<String> scheduled = catalog.configured().stream().filter(FeedDefinition::scheduled)
                .map(FeedDefinition::name).collect(Collectors.toSet());
        claim(scheduled);
        scheduled.addAll(jdbc.queryForList("""
                select distinct timer.feed from sync_configured_timer timer
                join qrtz_scheduler_state node on node.instance_name = timer.instance and node.sched_name = ?""",
                String.class, quartz.getSchedulerName()));
        stored.current().values().stream().filter(feed -> !feed.definition().path("schedule").asText("").isBlank())
                .forEach(feed -> scheduled.add(feed.feed()));
        for (TriggerKey trigger : quartz.getTriggerKeys(GroupMatcher.triggerGroupEquals(FeedTimers.GROUP))) {
            if (!scheduled.contains(trigger.getName()) && quartz.unscheduleJob(trigger)) {
                log.info("Feed {}: its timer is no longer configured; removed its stored trigger", trigger.getName());
            }
        }
    }

    /** Records this node's configured timers as its own, and forgets those of nodes no longer alive. */
    private void claim(Set<String> scheduled) throws SchedulerException {
        String instance = quartz.getSchedulerInstanceId();
        jdbc.update("delete from sync_configured_timer where instance = ?", instance);
        jdbc.batchUpdate("insert into sync_configured_timer (instance, feed) values (?, ?)",
                scheduled.stream().map(feed -> new Object[] {instance, feed}).toList());
        jdbc.update("""
                delete from sync_configured_timer timer where timer.instance <> ? and not exists (
                    select 1 from qrtz_scheduler_state node where node.instance_name = timer.instance)""", instance);
    }

    List<String> claimedBy(String instance) {
        return jdbc.queryForList("select feed from sync_configured_timer where instance = ? order by feed", String.class,
                instance);
    }
}
