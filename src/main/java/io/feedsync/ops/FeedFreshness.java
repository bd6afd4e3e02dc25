package io.feedsync.ops;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;

import org.quartz.CronExpression;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedDefinition;

/**
 * How fresh each feed's data is, from {@code sync_run} (shared by every node). A scheduled feed is
 * stale once {@code feedsync.health.stale-after} of its scheduled fires have passed since its last
 * successful run — for a regular schedule, that many intervals — counted from feedsync's start if it
 * never succeeded. Dry runs refresh nothing and do not count.
 */
@Component
public class FeedFreshness {

    private final JdbcTemplate jdbc;
    private final int staleAfter;
    private static final Duration FAILURE_MEMORY = Duration.ofSeconds(2);

    private final Instant started = Instant.now();
    private RuntimeException failure;
    private Instant failedAt;

    public FeedFreshness(JdbcTemplate jdbc, @Value("${feedsync.health.stale-after:3}") int staleAfter) {
        if (staleAfter < 1) {
            throw new IllegalArgumentException("feedsync.health.stale-after must be at least 1");
        }
        this.jdbc = jdbc;
        this.staleAfter = staleAfter;
    }

    /** A feed's freshness: when it last succeeded, and from when it counts as stale (null: never, it has no schedule). */
    public record Freshness(Instant lastSuccess, Instant staleFrom) {

        public boolean stale(Instant now) {
            return staleFrom != null && now.isAfter(staleFrom);
        }
    }

    public Freshness of(FeedDefinition feed) {
        Instant lastSuccess = lastSuccess(feed.name());
        return new Freshness(lastSuccess, feed.scheduled() ? staleFrom(feed.schedule(), lastSuccess) : null);
    }

    public Map<String, Instant> lastSuccesses() {
        Map<String, Instant> last = new HashMap<>();
        jdbc.query("select feed, max(finished_at) as last from sync_run where status = 'SUCCEEDED' and not dry_run group by feed",
                rs -> {
                    last.put(rs.getString("feed"), rs.getTimestamp("last").toInstant());
                });
        return last;
    }

    /**
     * With the database gone, a health check would wait for a connection once per feed: a failure
     * is remembered for two seconds and answers the other feeds of the same check at once.
     */
    private synchronized Instant lastSuccess(String feed) {
        if (failure != null && failedAt.plus(FAILURE_MEMORY).isAfter(Instant.now())) {
            throw failure;
        }
        try {
            failure = null;
            return jdbc.queryForList("select max(finished_at) from sync_run where feed = ? and status = 'SUCCEEDED'"
                    + " and not dry_run", java.sql.Timestamp.class, feed).stream().filter(java.util.Objects::nonNull)
                    .findFirst().map(java.sql.Timestamp::toInstant).orElse(null);
        } catch (RuntimeException e) {
            failure = e;
            failedAt = Instant.now();
            throw e;
        }
    }

    private Instant staleFrom(String schedule, Instant lastSuccess) {
        try {
            CronExpression cron = new CronExpression(schedule);
            Date fire = Date.from(lastSuccess == null ? started : lastSuccess);
            for (int i = 0; i < staleAfter && fire != null; i++) {
                fire = cron.getNextValidTimeAfter(fire);
            }
            return fire == null ? null : fire.toInstant();
        } catch (ParseException e) {
            throw new IllegalStateException("schedule was validated at startup: " + schedule, e);
        }
    }
}
