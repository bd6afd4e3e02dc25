package io.feedsync.ops;

import java.text.ParseException;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;

import org.quartz.CronExpression;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;

/**
 * How fresh each feed's data is, from {@code sync_run} (shared by every node). A scheduled feed is
 * stale once {@code feedsync.health.stale-after} of its scheduled fires have passed since its last
 * successful run — for a regular schedule, that many intervals — counted from feedsync's start if it
 * never succeeded. Dry runs refresh nothing and do not count. The last successes are a {@link FeedFact}:
 * one query for all the feeds of a health check or a scrape.
 */
@Component
public class FeedFreshness {

    private final JdbcTemplate jdbc;
    private final int staleAfter;
    private final FeedFact<Instant> lastSuccess;

    private final Instant started = Instant.now();

    public FeedFreshness(JdbcTemplate jdbc, FeedCatalog catalog,
                         @Value("${feedsync.health.stale-after:3}") int staleAfter) {
        if (staleAfter < 1) {
            throw new IllegalArgumentException("feedsync.health.stale-after must be at least 1");
        }
        this.jdbc = jdbc;
        this.staleAfter = staleAfter;
        this.lastSuccess = new FeedFact<>(catalog, this::lastSuccesses);
    }

    /** A feed's freshness: when it last succeeded, and from when it counts as stale (null: never, it has no schedule). */
    public record Freshness(Instant lastSuccess, Instant staleFrom) {

        public boolean stale(Instant now) {
            return staleFrom != null && now.isAfter(staleFrom);
        }
    }

    public Freshness of(FeedDefinition feed) {
        Instant lastSuccess = this.lastSuccess.of(feed.name());
        return new Freshness(lastSuccess, feed.scheduled() ? staleFrom(feed.schedule(), lastSuccess) : null);
    }

    /** When each of these feeds last succeeded (not dry); a feed that never did is left out. */
    public Map<String, Instant> lastSuccesses(Collection<String> feeds) {
        Map<String, Instant> last = new HashMap<>();
        // one lookup per feed on its newest runs (sync_run_feed_newest), in one statement
        jdbc.query("""
                select f.feed, (select max(r.finished_at) from sync_run r
                                 where r.feed = f.feed and r.status = 'SUCCEEDED' and not r.dry_run) as last
                  from unnest(?::text[]) f(feed)""",
                rs -> {
                    java.sql.Timestamp at = rs.getTimestamp("last");
                    if (at != null) {
                        last.put(rs.getString("feed"), at.toInstant());
                    }
                }, (Object) feeds.toArray(String[]::new));
        return last;
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
