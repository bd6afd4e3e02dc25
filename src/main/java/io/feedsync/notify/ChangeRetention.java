package io.feedsync.notify;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.config.FeedSchema;

/**
 * Drops change events that every endpoint delivering them has taken, once they are older than the
 * feed's retention — the same decision on every node, whatever its own {@code notify} settings:
 * each node registers the endpoints of its feeds' {@code notify.changes} in {@code sync_delivery}
 * (at startup, when an API feed is defined, and before each purge), and a purge keeps every event
 * not taken by an endpoint that some node registered within {@code feedsync.delivery.registration-grace}
 * (default 1 day). The retention is the longest of this node's {@code notify.retention} (default 7
 * days) and those registered within the grace. An endpoint that keeps failing keeps its events; one
 * that no node has any more stops holding them after the grace. Run by the {@code notify-retention} route.
 */
@Component("changeRetention")
public class ChangeRetention {

    private static final Logger log = LoggerFactory.getLogger(ChangeRetention.class);
    /** A feed's when it has no notify section: the schema's {@code notify.retention}. */
    private static final Duration DEFAULT = DurationStyle.detectAndParse(FeedSchema.defaultOf("notify.retention"));

    private final JdbcTemplate jdbc;
    private final FeedCatalog catalog;
    private final Duration grace;

    public ChangeRetention(JdbcTemplate jdbc, FeedCatalog catalog,
                           @Value("${feedsync.delivery.registration-grace:1d}") Duration grace) {
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.grace = grace;
    }

    /** At startup; with the database away, the next purge registers them. */
    @EventListener(ApplicationReadyEvent.class)
    public void registerAll() {
        try {
            catalog.all().forEach(this::register);
        } catch (RuntimeException e) {
            log.warn("Could not register this node's change-event endpoints now; the next purge does ({})", e.getMessage());
        }
    }

    @EventListener
    public void defined(FeedCatalog.Defined defined) {
        try {
            register(defined.feed());
        } catch (RuntimeException e) {
            log.warn("Feed {}: could not register its change-event endpoints now; the next purge does ({})",
                    defined.feed().name(), e.getMessage());
        }
    }

    /** This node delivers the feed's events to these endpoints, and keeps them this long: seen now. */
    void register(FeedDefinition feed) {
        FeedDefinition.Notify notify = feed.notifications();
        if (notify == null) {
            return;
        }
        for (String endpoint : notify.changes().stream().map(ChangeDeliveries::name).toList()) {
            jdbc.update("""
                    insert into sync_delivery (feed, endpoint, seen_at, retention_ms) values (?, ?, now(), ?)
                    on conflict (feed, endpoint) do update set seen_at = now(), retention_ms = excluded.retention_ms""",
                    feed.name(), endpoint, retention(feed).toMillis());
        }
    }

    public void purge() {
        for (FeedDefinition feed : catalog.all()) {
            register(feed);
            // the lowest position of the endpoints registered within the grace, this node's among them
            int purged = jdbc.update("""
                    with registered as (select position, retention_ms from sync_delivery
                                         where feed = ? and seen_at > now() - ? * interval '1 millisecond')
                    delete from sync_change c
                     where c.feed = ?
                       and c.at < now() - greatest(?, (select max(retention_ms) from registered)) * interval '1 millisecond'
                       and c.id <= coalesce((select min(position) from registered), c.id)""",
                    feed.name(), grace.toMillis(), feed.name(), retention(feed).toMillis());
            if (purged > 0) {
                log.info("Feed {}: {} delivered change events older than their retention purged", feed.name(), purged);
            }
        }
    }

    private static Duration retention(FeedDefinition feed) {
        return feed.notifications() == null ? DEFAULT : feed.notifications().retention();
    }
}
