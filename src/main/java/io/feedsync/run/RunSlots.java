package io.feedsync.run;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedConfigException;
import io.feedsync.upstream.ForEach;

/**
 * The node's run pool: the Camel thread pool profile {@value #PROFILE} that run-start's wire tap
 * (routes/triggers.yaml) hands runs to. {@code feedsync.max-concurrent-runs} threads run at most
 * that many runs at once; the others wait in its queue, first in first out, holding no connection
 * (a run takes its feed's lock only when its turn comes). Each running run holds one pooled
 * connection for its lock and uses more for its writes, so the cap must stay below the database
 * pool's size, with room left for the API and the timers: checked at startup. The default (4 for the
 * default pool of 10) is measured in docs/configuration.md.
 */
@Component
public class RunSlots implements CamelContextConfiguration {

    public static final String PROFILE = "run-slots";

    private static final Logger log = LoggerFactory.getLogger(RunSlots.class);

    private final int slots;

    public RunSlots(@Value("${feedsync.max-concurrent-runs:4}") int slots, DataSource dataSource) {
        String key = "feedsync.max-concurrent-runs";
        if (slots < 1) {
            throw new FeedConfigException(key, "must be at least 1, not " + slots);
        }
        if (dataSource instanceof HikariDataSource hikari) {
            int pool = hikari.getMaximumPoolSize();
            if (slots >= pool) {
                throw new FeedConfigException(key, slots + " runs at once would hold every connection of the database"
                        + " pool (spring.datasource.hikari.maximum-pool-size: " + pool + "): each run holds one for its"
                        + " feed's lock and needs another for its writes; set it below " + pool + " (at most "
                        + Math.max(1, (pool - 2) / 2) + " leaves room for the API and the timers), or enlarge the pool");
            }
            if (2 * slots > pool - 2) {
                log.warn("{}: {} runs at once may use {} of the database pool's {} connections (a lock and a writer"
                        + " each); the API and the timers may wait for one", key, slots, 2 * slots, pool);
            }
        }
        this.slots = slots;
    }

    public int slots() {
        return slots;
    }

    @Override
    public void beforeApplicationStart(CamelContext context) {
        context.getExecutorServiceManager().registerThreadPoolProfile(new ThreadPoolProfileBuilder(PROFILE)
                .poolSize(slots).maxPoolSize(slots).maxQueueSize(Integer.MAX_VALUE).allowCoreThreadTimeOut(false)
                .rejectedPolicy(ThreadPoolRejectedPolicy.Abort).build());
        // the parents of child feeds' runs (routes/feed-sync.yaml's split): each run (the pool's and a command
        // line's) has at most for-each.concurrency of them in flight, and one thread handing them out; twice
        // that, since a parent's place is free a moment before its thread is
        int parentThreads = 2 * (slots + 1) * (ForEach.MAX_CONCURRENCY + 1);
        context.getExecutorServiceManager().registerThreadPoolProfile(new ThreadPoolProfileBuilder(PARENT_PROFILE)
                .poolSize(1).maxPoolSize(parentThreads).maxQueueSize(0).keepAliveTime(60L)
                .allowCoreThreadTimeOut(true).rejectedPolicy(ThreadPoolRejectedPolicy.Abort).build());
    }

    /** The thread pool profile of child feeds' parent requests. */
    public static final String PARENT_PROFILE = "parent-requests";

    @Override
    public void afterApplicationStart(CamelContext context) {
        // nothing: the pool is made when run-start's route starts
    }
}
