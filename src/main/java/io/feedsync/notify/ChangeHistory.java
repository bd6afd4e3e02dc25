package io.feedsync.notify;

import java.util.List;

import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.api.WholeNumbers;
import io.feedsync.config.FeedCatalog;

/**
 * {@code GET /api/feeds/{feed}/changes?since=&limit=}: the feed's change events kept in the outbox,
 * oldest first, a page at a time — the next page is {@code since} the last id of this one.
 */
@Component("changeHistory")
public class ChangeHistory {

    private final JdbcTemplate jdbc;
    private final FeedCatalog catalog;

    public ChangeHistory(JdbcTemplate jdbc, FeedCatalog catalog) {
        this.jdbc = jdbc;
        this.catalog = catalog;
    }

    /** {@code since}: the id after which the page starts; none (or 0) for the oldest event kept. */
    public long since(@Header("since") String since) {
        if (since == null || since.isBlank()) {
            return 0;
        }
        return WholeNumbers.within(since, 0, Long.MAX_VALUE, "'since' is an event id, a whole number from 0");
    }

    public List<ChangeEvent> changes(String feed, long since, int limit) {
        catalog.get(feed);
        return jdbc.query(ChangeEvent.AFTER, ChangeEvent::of, feed, since, limit);
    }
}
