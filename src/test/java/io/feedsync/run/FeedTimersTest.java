package io.feedsync.run;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.quartz.CronTrigger;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.SchedulerException;
import org.quartz.TriggerKey;
import org.springframework.beans.factory.annotation.Autowired;

import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How a node finds a feed's trigger in the clustered job store: stored by another node that started
 * at the same moment, stored by an earlier deployment, or stored with an older schedule — and that
 * a trigger found as it should be is left alone (storing it again would move its next fire).
 */
class FeedTimersTest extends FeedsyncTest {

    /** Never due while the test runs: the trigger is only stored, not fired. */
    private static final String SCHEDULE = "0 0 0 1 1 ? 2098";
    private static final String GROUP = FeedTimers.GROUP;

    @Autowired
    private FeedTimers timers;

    @Autowired
    private Scheduler quartz;

    @Autowired
    private DataSource dataSource;

    private final String trigger = "feed-" + UUID.randomUUID();

    @AfterEach
    void removeTrigger() throws SchedulerException {
        quartz.unscheduleJob(new TriggerKey(trigger, GROUP));
    }

    @Test
    void nodesStoringTheSameTriggerAtOnceBothStart() throws Exception {
        ExecutorService nodes = Executors.newFixedThreadPool(2);
        try (Connection holder = dataSource.getConnection()) {
            // Quartz stores a trigger under its row lock TRIGGER_ACCESS; holding it here lets both
            // nodes find the trigger missing before either can store it
            try (PreparedStatement insert = holder.prepareStatement(
                    "insert into qrtz_locks (sched_name, lock_name) values (?, 'TRIGGER_ACCESS') on conflict do nothing")) {
                insert.setString(1, quartz.getSchedulerName());
                insert.executeUpdate();
            }
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement(
                    "select * from qrtz_locks where sched_name = ? and lock_name = 'TRIGGER_ACCESS' for update")) {
                lock.setString(1, quartz.getSchedulerName());
                lock.executeQuery().close();
            }
            List<Future<?>> starts = List.of(
                    nodes.submit(() -> store(SCHEDULE)),
                    nodes.submit(() -> store(SCHEDULE)));
            await().atMost(Duration.ofSeconds(20)).until(() -> count(
                    "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%qrtz_locks%'") == 2);
            holder.commit();

            for (Future<?> start : starts) {
                start.get(30, TimeUnit.SECONDS);
            }
        } finally {
            nodes.shutdownNow();
        }

        assertThat(storedTriggers()).isEqualTo(1);
        assertThat(count("select count(*) from qrtz_job_details where sched_name = ? and job_group = ?",
                quartz.getSchedulerName(), GROUP)).as("one job for every feed timer").isEqualTo(1);
    }

    @Test
    void nodeRestartingWithItsTriggerStoredLeavesItAlone() throws Exception {
        store(SCHEDULE);
        Trigger before = quartz.getTrigger(new TriggerKey(trigger, GROUP));

        store(SCHEDULE);

        assertThat(storedTriggers()).isEqualTo(1);
        assertThat(storedSchedule()).isEqualTo(SCHEDULE);
        assertThat(quartz.getTrigger(new TriggerKey(trigger, GROUP)).getStartTime())
                .as("not stored again").isEqualTo(before.getStartTime());
    }

    @Test
    void aFireThatNoNodeCouldTakeInTimeIsDropped() throws Exception {
        store(SCHEDULE);

        assertThat(quartz.getTrigger(new TriggerKey(trigger, GROUP)).getMisfireInstruction())
                .isEqualTo(CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING);
    }

    @Test
    void aFeedWithoutScheduleHasNoTrigger() throws Exception {
        store(SCHEDULE);

        timers.follow(trigger, null);

        assertThat(storedTriggers()).isZero();
    }

    @Test
    void nodeRestartingWithAChangedScheduleReschedulesTheStoredTrigger() throws Exception {
        store(SCHEDULE);

        store("0 30 2 * * ?");

        assertThat(storedTriggers()).isEqualTo(1);
        assertThat(storedSchedule()).isEqualTo("0 30 2 * * ?");
        assertThat(quartz.getTrigger(new TriggerKey(trigger, GROUP)).getNextFireTime())
                .as("due on the new schedule").hasMinute(30);
    }

    private Void store(String cron) throws SchedulerException {
        timers.follow(trigger, cron);
        return null;
    }

    private int storedTriggers() throws SchedulerException {
        return count("select count(*) from qrtz_triggers where sched_name = ? and trigger_group = ? and trigger_name = ?",
                quartz.getSchedulerName(), GROUP, trigger);
    }

    private String storedSchedule() throws SchedulerException {
        return jdbc.queryForObject("select cron_expression from qrtz_cron_triggers where sched_name = ? "
                + "and trigger_group = ? and trigger_name = ?", String.class, quartz.getSchedulerName(), GROUP, trigger);
    }
}
