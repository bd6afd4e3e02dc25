package io.feedsync.notify;

import java.time.Duration;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;

/**
 * Drops change events older than their feed's {@code notify.retention} (default 7 days) that every
 * endpoint of its {@code notify.changes} has taken: an endpoint that keeps failing keeps its events.
 * Run by the {@code notify-retention} route.
 */
@Component("changeRetention")
public class ChangeRetention {

    private static final Logger log = LoggerFactory.getLogger(ChangeRetention.class);
    private static final Duration DEFAULT = Duration.ofDays(7);

    private final JdbcTemplate jdbc;
    private final FeedCatalog catalog;

    public ChangeRetention(JdbcTemplate jdbc, FeedCatalog catalog) {
        this.jdbc = jdbc;
        this.catalog = catalog;
    }

    public void purge() {
        for (FeedDefinition feed : catalog.all()) {
            FeedDefinition.Notify notify = feed.notifications();
            Duration retention = notify == null ? DEFAULT : notify.retention();
            List<String> endpoints = notify == null ? List.of()
                    : notify.changes().stream().map(ChangeDeliveries::name).toList();
            // the lowest position of the feed's endpoints; one without a position row has taken nothing
            int purged = jdbc.update("""
                    delete from sync_change c
                     where c.feed = ? and c.at < now() - ? * interval '1 millisecond'
                       and c.id <= coalesce((select min(coalesce(d.position, 0))
                                               from unnest(?::text[]) e(endpoint)
                                               left join sync_delivery d on d.feed = ? and d.endpoint = e.endpoint),
                                            c.id)""",
                    feed.name(), retention.toMillis(), endpoints.toArray(String[]::new), feed.name());
            if (purged > 0) {
                log.info("Feed {}: {} delivered change events older than {} purged", feed.name(), purged, retention);
            }
        }
    }
}
