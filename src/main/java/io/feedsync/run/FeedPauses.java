package io.feedsync.run;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;

/**
 * The cluster-wide switch of a feed: a paused feed starts no run on any node — no timer fire, no
 * REST or command-line run — until it is resumed. Kept in {@code sync_feed_pause}, so it holds across
 * restarts and schedule changes, unlike suspending a timer route (one node) or pausing its Quartz
 * trigger (undone by the next schedule change). Pausing also cancels the feed's QUEUED and RUNNING
 * runs, on every node ({@link RunCancels}): they end CANCELLED, resumable once the feed is resumed.
 */
@Component("feedPauses")
public class FeedPauses {

    private static final Logger log = LoggerFactory.getLogger(FeedPauses.class);
    private static final RowMapper<FeedPause> ROW = (rs, row) -> new FeedPause(rs.getString("feed"),
            rs.getTimestamp("paused_at").toInstant(), rs.getString("paused_by"), rs.getString("reason"));

    private final JdbcTemplate jdbc;
    private final FeedCatalog catalog;
    private final RunCancels cancels;

    public FeedPauses(JdbcTemplate jdbc, FeedCatalog catalog, RunCancels cancels) {
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.cancels = cancels;
    }

    public Optional<FeedPause> of(String feed) {
        return jdbc.query("select * from sync_feed_pause where feed = ?", ROW, feed).stream().findFirst();
    }

    public Map<String, FeedPause> all() {
        List<FeedPause> pauses = jdbc.query("select * from sync_feed_pause", ROW);
        return pauses.stream().collect(Collectors.toMap(FeedPause::feed, Function.identity()));
    }

    /**
     * Pauses the feed and cancels its queued and running runs; a feed already paused keeps its first
     * pause (who, when, why).
     */
    public FeedPause pause(String feed, String by, String reason) {
        catalog.get(feed);
        int added = jdbc.update("insert into sync_feed_pause (feed, paused_by, reason) values (?, ?, ?) "
                + "on conflict (feed) do nothing", feed, by, reason);
        FeedPause pause = of(feed).orElseThrow();
        if (added == 1) {
            log.info("Feed {} paused by {}{}: no node starts a run of it until it is resumed", feed, by,
                    reason == null ? "" : " (" + reason + ")");
        }
        cancels.cancelFeed(feed, by, "cancelled: " + by + " paused the feed");
        return pause;
    }

    /** Resumes the feed: its next timer fire, REST or command-line run starts again. */
    public boolean resume(String feed, String by) {
        catalog.get(feed);
        boolean resumed = jdbc.update("delete from sync_feed_pause where feed = ?", feed) == 1;
        if (resumed) {
            log.info("Feed {} resumed by {}", feed, by);
        }
        return resumed;
    }
}
