package io.feedsync.notify;

import java.time.Duration;
import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Where each endpoint of a feed's {@code notify.changes} stands in the feed's change events
 * ({@code sync_delivery}), and the steps of its delivery route ({@code routes/feed-notify.yaml}),
 * all in the route's one transaction: {@link #claim} locks the endpoint's position row with
 * {@code FOR UPDATE SKIP LOCKED} — so one node delivers to an endpoint at a time, and another finds
 * nothing to do — and answers the next events after it, in order; {@link #delivered} moves the
 * position past an event once the endpoint took it; {@link #failed} keeps the failure and holds the
 * endpoint back, its next attempt after a backoff that doubles with each failure in a row.
 */
@Component("changeDeliveries")
public class ChangeDeliveries {

    /** The exchange properties the delivery route sets: which feed and endpoint, which event is on its way (split). */
    public static final String FEED = "feedsyncDeliveryFeed";
    public static final String ENDPOINT = "feedsyncDeliveryEndpoint";
    public static final String EVENT_ID = "feedsyncEventId";

    private static final Logger log = LoggerFactory.getLogger(ChangeDeliveries.class);
    private static final int ERROR_LENGTH = 1000;

    private final JdbcTemplate jdbc;
    private final DeliveryMetrics metrics;
    private final int batchSize;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    public ChangeDeliveries(JdbcTemplate jdbc, DeliveryMetrics metrics,
                            @Value("${feedsync.delivery.batch-size:500}") int batchSize,
                            @Value("${feedsync.delivery.initial-backoff:1s}") Duration initialBackoff,
                            @Value("${feedsync.delivery.max-backoff:5m}") Duration maxBackoff) {
        this.jdbc = jdbc;
        this.metrics = metrics;
        this.batchSize = batchSize;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    /**
     * How an endpoint is named in {@code sync_delivery}, the API and the metrics: its URI with
     * passwords and other secret parameters masked.
     */
    public static String name(String uri) {
        return URISupport.sanitizeUri(uri);
    }

    /**
     * The next events for the endpoint, oldest first; none while another node holds its position,
     * or while it backs off after a failure. Locks the position row until the route's transaction ends.
     */
    public List<ChangeEvent> claim(@ExchangeProperty(FEED) String feed, @ExchangeProperty(ENDPOINT) String endpoint) {
        // a new endpoint starts at the beginning of the events kept
        jdbc.update("insert into sync_delivery (feed, endpoint) values (?, ?) on conflict do nothing", feed, endpoint);
        List<Long> position = jdbc.queryForList("""
                select position from sync_delivery
                 where feed = ? and endpoint = ?
                   and (attempts = 0
                        or updated_at + least(? * power(2, attempts - 1), ?) * interval '1 millisecond' <= now())
                   for update skip locked""", Long.class, feed, endpoint, initialBackoff.toMillis(), maxBackoff.toMillis());
        if (position.isEmpty()) {
            return List.of();
        }
        return jdbc.query(ChangeEvent.AFTER, ChangeEvent::of, feed, position.get(0), batchSize);
    }

    /** The endpoint took the event: its position moves past it, and its failures are forgotten. */
    public void delivered(@ExchangeProperty(FEED) String feed, @ExchangeProperty(ENDPOINT) String endpoint,
                          @ExchangeProperty(EVENT_ID) long eventId) {
        jdbc.update("update sync_delivery set position = ?, attempts = 0, last_error = null, updated_at = now()"
                + " where feed = ? and endpoint = ?", eventId, feed, endpoint);
        metrics.delivered(feed, endpoint);
    }

    /** The endpoint refused or missed an event: its position stays, and it backs off. */
    public void failed(@ExchangeProperty(FEED) String feed, @ExchangeProperty(ENDPOINT) String endpoint,
                       @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception failure) {
        String error = describe(failure);
        List<Long> position = jdbc.queryForList("update sync_delivery set attempts = attempts + 1, last_error = ?,"
                + " updated_at = now() where feed = ? and endpoint = ? returning position", Long.class, error, feed,
                endpoint);
        log.warn("Feed {}: delivering the change event after {} to {} failed, tried again after a backoff: {}", feed,
                position.isEmpty() ? "?" : position.get(0), endpoint, error);
        metrics.failed(feed, endpoint);
    }

    /** The failure as the route's split wraps it, told by its innermost cause; URIs in it masked. */
    static String describe(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String text = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        text = URISupport.sanitizeUri(text);
        return text.length() > ERROR_LENGTH ? text.substring(0, ERROR_LENGTH) : text;
    }
}
