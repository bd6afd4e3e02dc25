package io.feedsync.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.run.RunFinished;

/**
 * Each feed's pending deletes as its last successful full (not dry) run counted them: rows it did not
 * see but left in place, since fewer consecutive full runs than {@code target.soft-delete-after}
 * missed them. Read for every feed in one query, which the gauges of one scrape share: the answer
 * is kept for a second, or until a run of this node finishes.
 */
@Component
public class PendingDeletes {

    private static final Duration SCRAPE = Duration.ofSeconds(1);

    private final JdbcTemplate jdbc;
    private final FeedCatalog catalog;
    private Map<String, Long> read;
    private Instant readAt;

    public PendingDeletes(JdbcTemplate jdbc, FeedCatalog catalog) {
        this.jdbc = jdbc;
        this.catalog = catalog;
    }

    /** The feed's pending deletes at its last successful full run; null if it had none. */
    public synchronized Long of(String feed) {
        if (read == null || readAt.plus(SCRAPE).isBefore(Instant.now())) {
            read = readAll();
            readAt = Instant.now();
        }
        return read.get(feed);
    }

    @EventListener
    public synchronized void runFinished(RunFinished run) {
        read = null;
    }

    private Map<String, Long> readAll() {
        String[] feeds = catalog.all().stream().map(FeedDefinition::name).toArray(String[]::new);
        Map<String, Long> pending = new HashMap<>();
        // each feed's newest runs first (sync_run_feed_newest), down to its last successful full run
        jdbc.query("""
                select f.feed, (select r.pending_deletes from sync_run r
                                 where r.feed = f.feed and r.mode = 'full' and r.status = 'SUCCEEDED' and not r.dry_run
                                 order by r.id desc limit 1) as pending
                  from unnest(?::text[]) f(feed)""",
                row -> {
                    long value = row.getLong("pending");
                    if (!row.wasNull()) {
                        pending.put(row.getString("feed"), value);
                    }
                }, (Object) feeds);
        return pending;
    }
}
