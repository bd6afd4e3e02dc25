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

import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/** A timer left in the clustered job store by a feed no longer scheduled is removed; others stay. */
class RetiredFeedTimersTest extends FeedsyncTest {

    /** Never due while the test runs. */
    private static final String SCHEDULE = "0 0 0 1 1 ? 2098";

    @Autowired
    private Scheduler quartz;

    @Autowired
    private RetiredFeedTimers retiredTimers;

    private final TriggerKey removedFeed = new TriggerKey("feed-removed-from-config", RetiredFeedTimers.TRIGGER_GROUP);
    private final TriggerKey unscheduledFeed = new TriggerKey("plans", RetiredFeedTimers.TRIGGER_GROUP);
    private final TriggerKey otherGroup = new TriggerKey("feed-removed-from-config", "someone-else");

    @AfterEach
    void removeTriggers() throws SchedulerException {
        for (TriggerKey key : new TriggerKey[] {removedFeed, unscheduledFeed, otherGroup}) {
            quartz.unscheduleJob(key);
        }
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
