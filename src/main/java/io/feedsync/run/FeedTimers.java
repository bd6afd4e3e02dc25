package io.feedsync.run;

import java.sql.ResultSet;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.feedsync.config.FeedDefinition;

/**
 * The timers of scheduled feeds: one Quartz cron trigger per feed ({@code feedsync/<name>}) in the
 * clustered job store, all of them firing one job, {@link FeedTimerJob}, which hands the fire to the
 * {@code feed-timer} route. A trigger is stored once, by the node that defines the feed (or, for a
 * configured feed, the first node that starts with it); the other nodes find it as it is and leave it
 * alone — storing it again would move its next fire time. Each fire goes to one node.
 * <p>
 * Misfires: a fire that no node could take within {@code org.quartz.jobStore.misfireThreshold}
 * (every node down, stopping or starved) is dropped, not run late, and the feed runs at its next
 * fire time ({@link CronTrigger#MISFIRE_INSTRUCTION_DO_NOTHING}); a late run that overlapped the next
 * fire would only be skipped anyway.
 */
@Component
public class FeedTimers {

    /** The Quartz group of every feed timer (and of their job). */
    public static final String GROUP = "feedsync";
    static final JobKey JOB = JobKey.jobKey("feed-timer", GROUP);
    static final String FEED = "feed";

    private static final Logger log = LoggerFactory.getLogger(FeedTimers.class);

    private final ObjectProvider<Scheduler> quartz;
    private final TransactionTemplate transaction;
    private final boolean scheduling;
    private final JdbcTemplate jdbc;

    public FeedTimers(ObjectProvider<Scheduler> quartz, PlatformTransactionManager transactions, JdbcTemplate jdbc,
                      @Value("${feedsync.scheduling.enabled:true}") boolean scheduling) {
        this.quartz = quartz;
        this.jdbc = jdbc;
        this.transaction = new TransactionTemplate(transactions);
        this.scheduling = scheduling;
    }

    /** The feed's trigger, as the job store keeps it. */
    public static TriggerKey trigger(String feed) {
        return TriggerKey.triggerKey(feed, GROUP);
    }

    /**
     * Stores the feed's trigger unless the job store has it with the same schedule already; removes it if the
     * feed has no schedule. In the caller's transaction if there is one (the one that stores a feed's
     * version), else in one of its own: nodes storing the same trigger at the same moment take Quartz's row
     * lock in turn, and the second finds the first's trigger.
     */
    public void follow(FeedDefinition feed) throws SchedulerException {
        follow(feed.name(), feed.schedule());
    }

    /** {@link #follow(FeedDefinition)} for the feed named, on this cron schedule (null: none). */
    public void follow(String feed, String schedule) throws SchedulerException {
        Scheduler scheduler = scheduler();
        if (scheduler == null) {
            return;
        }
        if (schedule == null) {
            unschedule(feed);
            return;
        }
        try {
            store(scheduler, feed, schedule);
        } catch (ObjectAlreadyExistsException e) {
            log.info("Feed {}: its trigger was stored by another node meanwhile; using it", feed);
            store(scheduler, feed, schedule);
        }
    }

    /** Removes the feed's trigger from the job store (the feed is gone, or has no schedule). */
    public void unschedule(String feed) throws SchedulerException {
        Scheduler scheduler = scheduler();
        if (scheduler != null && scheduler.unscheduleJob(trigger(feed))) {
            log.info("Feed {}: removed its stored trigger", feed);
        }
    }

    /**
     * When each feed's stored trigger fires next, as the job store the nodes share has it: one query for
     * every feed (Quartz's API reads triggers one at a time). A feed without a trigger is not in it.
     */
    public Map<String, Instant> nextFires() throws SchedulerException {
        Scheduler scheduler = quartz.getIfAvailable();
        if (scheduler == null) {
            return Map.of();
        }
        Map<String, Instant> next = new HashMap<>();
        jdbc.query("select trigger_name, next_fire_time from qrtz_triggers where sched_name = ? and trigger_group = ?",
                (ResultSet rs) -> {
                    long millis = rs.getLong(2);
                    if (!rs.wasNull() && millis > 0) {
                        next.put(rs.getString(1), Instant.ofEpochMilli(millis));
                    }
                }, scheduler.getSchedulerName(), GROUP);
        return next;
    }

    /** Starts taking fires on this node (once the routes that run them are up). */
    public void start() throws SchedulerException {
        Scheduler scheduler = scheduler();
        if (scheduler != null && !scheduler.isStarted()) {
            scheduler.start();
        }
    }

    private void store(Scheduler scheduler, String feed, String schedule) throws SchedulerException {
        try {
            transaction.executeWithoutResult(status -> {
                try {
                    Trigger stored = scheduler.getTrigger(trigger(feed));
                    if (same(stored, feed, schedule)) {
                        return;
                    }
                    if (scheduler.getJobDetail(JOB) == null) {
                        scheduler.addJob(job(), true);
                    }
                    if (stored != null) {
                        scheduler.unscheduleJob(stored.getKey());
                    }
                    scheduler.scheduleJob(trigger(feed, schedule));
                    log.info("Feed {}: stored its trigger, {}", feed, schedule);
                } catch (SchedulerException e) {
                    throw new StoreFailed(e);
                }
            });
        } catch (StoreFailed e) {
            throw e.getCause();
        }
    }

    private static boolean same(Trigger stored, String feed, String schedule) {
        return stored instanceof CronTrigger cron && JOB.equals(cron.getJobKey())
                && Objects.equals(cron.getCronExpression(), schedule)
                && cron.getMisfireInstruction() == CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING
                && feed.equals(cron.getJobDataMap().getString(FEED));
    }

    private static JobDetail job() {
        return JobBuilder.newJob(FeedTimerJob.class).withIdentity(JOB).storeDurably()
                .withDescription("Runs the feed whose trigger fired (routes/triggers.yaml, feed-timer)").build();
    }

    private static Trigger trigger(String feed, String schedule) {
        return TriggerBuilder.newTrigger().withIdentity(trigger(feed)).forJob(JOB)
                .usingJobData(FEED, feed)
                .withSchedule(CronScheduleBuilder.cronSchedule(schedule).withMisfireHandlingInstructionDoNothing())
                .build();
    }

    private Scheduler scheduler() {
        return scheduling ? quartz.getIfAvailable() : null;
    }

    private static final class StoreFailed extends RuntimeException {
        StoreFailed(SchedulerException cause) {
            super(cause);
        }

        @Override
        public synchronized SchedulerException getCause() {
            return (SchedulerException) super.getCause();
        }
    }
}
