package io.feedsync.ops;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;

/**
 * Each feed's pending deletes as its last successful full (not dry) run counted them: rows it did not
 * see but left in place, since fewer consecutive full runs than {@code target.soft-delete-after}
 * missed them. A {@link FeedFact}: read for every feed in one query, which the gauges of one scrape share.
 */
@Component
public class PendingDeletes {

    private final JdbcTemplate jdbc;
    private final FeedFact<Long> pending;

    public PendingDeletes(JdbcTemplate jdbc, FeedCatalog catalog) {
        this.jdbc = jdbc;
        this.pending = new FeedFact<>(catalog, this::read);
    }

    /** The feed's pending deletes at its last successful full run; null if it had none. */
    public Long of(String feed) {
        return pending.of(feed);
    }

    private Map<String, Long> read(Collection<String> feeds) {
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
                }, (Object) feeds.toArray(String[]::new));
        return pending;
    }
}
