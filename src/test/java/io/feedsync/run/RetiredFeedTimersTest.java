package io.feedsync.run;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.quartz.CronScheduleBuilder;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.springframework.beans.factory.annotation.Autowired;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A timer left in the clustered job store by a feed no longer scheduled is removed; others stay, and
 * so do those of feeds another live node configures or the API defines.
 */
class RetiredFeedTimersTest extends FeedsyncTest {

    /** Never due while the test runs. */
    private static final String SCHEDULE = "0 0 0 1 1 ? 2098";

    @Autowired
    private Scheduler quartz;

    @Autowired
    private RetiredFeedTimers retiredTimers;

    @Autowired
    private FeedCatalog catalog;

    private final TriggerKey removedFeed = new TriggerKey("feed-removed-from-config", FeedTimers.GROUP);
    private final TriggerKey unscheduledFeed = new TriggerKey("plans", FeedTimers.GROUP);
    private final TriggerKey otherGroup = new TriggerKey("feed-removed-from-config", "someone-else");
    private final TriggerKey otherNodesFeed = new TriggerKey("configured-on-another-node", FeedTimers.GROUP);
    private final TriggerKey deadNodesFeed = new TriggerKey("configured-on-a-dead-node", FeedTimers.GROUP);
    private final TriggerKey apiFeed = new TriggerKey("defined-over-the-api", FeedTimers.GROUP);

    @AfterEach
    void removeTriggers() throws SchedulerException {
        for (TriggerKey key : new TriggerKey[] {removedFeed, unscheduledFeed, otherGroup, otherNodesFeed, deadNodesFeed,
                apiFeed}) {
            quartz.unscheduleJob(key);
        }
        jdbc.update("delete from sync_configured_timer where instance in ('other-node', 'dead-node')");
        jdbc.update("delete from qrtz_scheduler_state where instance_name = 'other-node'");
        jdbc.update("delete from sync_feed_definition where feed = ?", apiFeed.getName());
    }

    @Test
    void triggersOfFeedsWithoutAScheduleAreRemovedAndOthersKept() throws SchedulerException {
        store(removedFeed);
        store(unscheduledFeed);
        store(otherGroup);

        retiredTimers.retire();

        assertThat(quartz.checkExists(removedFeed)).as("a feed no longer configured").isFalse();
        assertThat(quartz.checkExists(unscheduledFeed)).as("a configured feed without a schedule").isFalse();
        assertThat(quartz.checkExists(otherGroup)).as("not a feed timer").isTrue();
    }

    @Test
    void triggersOfFeedsAnotherLiveNodeConfiguresOrTheApiDefinesAreKept() throws SchedulerException {
        jdbc.update("insert into qrtz_scheduler_state values (?, 'other-node', 0, 5000)", quartz.getSchedulerName());
        jdbc.update("insert into sync_configured_timer values ('other-node', ?), ('dead-node', ?)",
                otherNodesFeed.getName(), deadNodesFeed.getName());
        jdbc.update("insert into sync_feed_definition (feed, version, definition, changed_by) values (?, 1, ?::jsonb, 'test')",
                apiFeed.getName(), "{\"schedule\": \"" + SCHEDULE + "\"}");
        store(otherNodesFeed);
        store(deadNodesFeed);
        store(apiFeed);

        retiredTimers.retire();

        assertThat(quartz.checkExists(otherNodesFeed)).as("configured on another live node").isTrue();
        assertThat(quartz.checkExists(apiFeed)).as("defined over the API").isTrue();
        assertThat(quartz.checkExists(deadNodesFeed)).as("configured on a node no longer alive").isFalse();
        assertThat(count("select count(*) from sync_configured_timer where instance = 'dead-node'"))
                .as("a dead node's timers are forgotten").isZero();
        assertThat(retiredTimers.claimedBy(quartz.getSchedulerInstanceId())).as("this node's own configured timers")
                .containsExactlyElementsOf(catalog.configured().stream().filter(FeedDefinition::scheduled)
                        .map(FeedDefinition::name).sorted().toList());
    }

    private void store(TriggerKey key) throws SchedulerException {
        quartz.scheduleJob(JobBuilder.newJob(NeverRuns.class).withIdentity(key.getName(), key.getGroup()).build(),
                TriggerBuilder.newTrigger().withIdentity(key)
                        .withSchedule(CronScheduleBuilder.cronSchedule(SCHEDULE)).build());
    }

    /** The stored job's class; the trigger is never due. */
    public static class NeverRuns implements Job {
        @Override
        public void execute(JobExecutionContext context) {
        }
    }
}
