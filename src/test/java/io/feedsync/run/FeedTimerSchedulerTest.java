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

import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerKey;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;

import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How a node's timer finds the feed's trigger in the clustered job store: stored by another node
 * that started at the same moment, stored by an earlier deployment, or stored with an older schedule.
 */
class FeedTimerSchedulerTest extends FeedsyncTest {

    /** Never due while the test runs: the trigger is only stored, not fired. */
    private static final String SCHEDULE = "0 0 0 1 1 ? 2098";
    private static final String GROUP = "feedsync-test";

    @Autowired
    private ObjectProvider<FeedTimerScheduler> timers;

    @Autowired
    private CamelContext camel;

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
                    nodes.submit(() -> timer(SCHEDULE).start()),
                    nodes.submit(() -> timer(SCHEDULE).start()));
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
        assertThat(count("select count(*) from qrtz_job_details j where sched_name = ? and not exists (select 1 from "
                + "qrtz_triggers t where t.sched_name = j.sched_name and t.job_name = j.job_name and t.job_group = j.job_group)",
                quartz.getSchedulerName())).as("jobs left without a trigger").isZero();
    }

    @Test
    void nodeRestartingWithItsTriggerStoredStarts() throws Exception {
        FeedTimerScheduler before = timer(SCHEDULE);
        before.start();
        before.stop();

        timer(SCHEDULE).start();

        assertThat(storedTriggers()).isEqualTo(1);
        assertThat(storedSchedule()).isEqualTo(SCHEDULE);
    }

    @Test
    void nodeRestartingWithAChangedScheduleReschedulesTheStoredTrigger() throws Exception {
        FeedTimerScheduler before = timer(SCHEDULE);
        before.start();
        before.stop();

        timer("0 30 2 * * ?").start();

        assertThat(storedTriggers()).isEqualTo(1);
        assertThat(storedSchedule()).isEqualTo("0 30 2 * * ?");
        assertThat(quartz.getTrigger(new TriggerKey(trigger, GROUP)).getNextFireTime())
                .as("due on the new schedule").hasMinute(30);
    }

    private FeedTimerScheduler timer(String cron) {
        FeedTimerScheduler timer = timers.getObject();
        timer.setCamelContext(camel);
        timer.setCron(cron);
        timer.setTriggerGroup(GROUP);
        timer.setTriggerId(trigger);
        return timer;
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
