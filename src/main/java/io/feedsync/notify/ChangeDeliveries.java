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

import io.feedsync.config.SecretPlaceholders;

/**
 * Where each endpoint of a feed's {@code notify.changes} stands in the feed's change events
 * ({@code sync_delivery}), and the steps of its delivery route ({@code routes/feed-notify.yaml}),
 * all in the route's one transaction: {@link #claim} locks the endpoint's position row with
 * {@code FOR UPDATE SKIP LOCKED} — so one node delivers to an endpoint at a time, and another finds
 * nothing to do — and answers the next events after it, in order; {@link #delivered} notes each
 * event the endpoint took; {@link #moved} writes the position once, past the last of the batch;
 * {@link #failed} writes it past the last event taken before the failure, keeps the failure and
 * holds the endpoint back, its next attempt after a backoff that doubles with each failure in a row.
 * A full batch polls again at once (the route's scheduler is greedy); a short one, an empty one or a
 * failure waits the poll interval.
 */
@Component("changeDeliveries")
public class ChangeDeliveries {

    /** The exchange properties the delivery route sets: which feed and endpoint, which event is on its way (split). */
    public static final String FEED = "feedsyncDeliveryFeed";
    public static final String ENDPOINT = "feedsyncDeliveryEndpoint";
    public static final String EVENT_ID = "feedsyncEventId";
    /** The batch's {@link Progress}: one object the split's exchanges share, as they copy properties by reference. */
    public static final String PROGRESS = "feedsyncDeliveryProgress";

    /** Where the endpoint stood when the batch was claimed, and the last event it took since. */
    static final class Progress {
        private final long claimed;
        private volatile long taken;

        Progress(long claimed) {
            this.claimed = claimed;
            this.taken = claimed;
        }

        boolean moved() {
            return taken > claimed;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(ChangeDeliveries.class);
    private static final int ERROR_LENGTH = 1000;
    /** How Camel masks a credential in a URI ({@code URISupport.sanitizeUri}). */
    private static final String MASKED = "xxxxxx";

    private final JdbcTemplate jdbc;
    private final DeliveryMetrics metrics;
    private final NotifyEndpoints endpoints;
    private final int batchSize;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    public ChangeDeliveries(JdbcTemplate jdbc, DeliveryMetrics metrics, NotifyEndpoints endpoints,
                            @Value("${feedsync.delivery.batch-size:500}") int batchSize,
                            @Value("${feedsync.delivery.initial-backoff:1s}") Duration initialBackoff,
                            @Value("${feedsync.delivery.max-backoff:5m}") Duration maxBackoff) {
        this.jdbc = jdbc;
        this.metrics = metrics;
        this.endpoints = endpoints;
        this.batchSize = batchSize;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    /**
     * How an endpoint is named in {@code sync_delivery}, the API, the metrics and the logs: its URI
     * as written, with passwords and other secret parameters masked — unless each of them is a
     * {@code ${NAME}} placeholder (a feed defined over the API), which names a secret without being one.
     */
    public static String name(String uri) {
        String masked = URISupport.sanitizeUri(uri);
        if (masked.equals(uri)) {
            return uri;
        }
        String placeholdersMasked = SecretPlaceholders.masked(uri, MASKED);
        return URISupport.sanitizeUri(placeholdersMasked).equals(placeholdersMasked) ? uri : masked;
    }

    /**
     * An endpoint named otherwise before ({@code former}, as {@link NotifyEndpoints#formerName} tells)
     * keeps its position under its name now, unless that name has one already.
     */
    void rename(String feed, String former, String now) {
        // a row under the name it has now that has taken nothing yet (a node registered the endpoint) gives way
        jdbc.update("""
                delete from sync_delivery n where n.feed = ? and n.endpoint = ? and n.position = 0 and n.attempts = 0
                   and exists (select 1 from sync_delivery f where f.feed = ? and f.endpoint = ?)""",
                feed, now, feed, former);
        int renamed = jdbc.update("""
                update sync_delivery set endpoint = ? where feed = ? and endpoint = ?
                   and not exists (select 1 from sync_delivery where feed = ? and endpoint = ?)""",
                now, feed, former, feed, now);
        if (renamed > 0) {
            log.info("Feed {}: endpoint {} keeps its position under the name it has now", feed, now);
        }
    }

    /**
     * The next events for the endpoint, oldest first; none while another node holds its position,
     * or while it backs off after a failure. Locks the position row until the route's transaction ends.
     * Only after a full batch does the scheduler poll again at once.
     */
    public List<ChangeEvent> claim(Exchange exchange, @ExchangeProperty(FEED) String feed,
                                   @ExchangeProperty(ENDPOINT) String endpoint) {
        // a new endpoint starts at the beginning of the events kept
        jdbc.update("insert into sync_delivery (feed, endpoint) values (?, ?) on conflict do nothing", feed, endpoint);
        List<Long> position = jdbc.queryForList("""
                select position from sync_delivery
                 where feed = ? and endpoint = ?
                   and (attempts = 0
                        or updated_at + least(? * power(2, attempts - 1), ?) * interval '1 millisecond' <= now())
                   for update skip locked""", Long.class, feed, endpoint, initialBackoff.toMillis(), maxBackoff.toMillis());
        List<ChangeEvent> events = position.isEmpty() ? List.of()
                : jdbc.query(ChangeEvent.AFTER, ChangeEvent::of, feed, position.get(0), batchSize);
        // only a full batch makes the greedy scheduler poll again at once
        exchange.setProperty(Exchange.SCHEDULER_POLLED_MESSAGES, events.size() == batchSize);
        exchange.setProperty(PROGRESS, new Progress(position.isEmpty() ? 0 : position.get(0)));
        return events;
    }

    /** The endpoint took the event: noted, written by {@link #moved} or {@link #failed}. */
    public void delivered(@ExchangeProperty(FEED) String feed, @ExchangeProperty(ENDPOINT) String endpoint,
                          @ExchangeProperty(PROGRESS) Progress progress, @ExchangeProperty(EVENT_ID) long eventId) {
        progress.taken = eventId;
        metrics.delivered(feed, endpoint);
    }

    /** The endpoint took the whole batch: its position moves past the last event, its failures are forgotten. */
    public void moved(@ExchangeProperty(FEED) String feed, @ExchangeProperty(ENDPOINT) String endpoint,
                      @ExchangeProperty(PROGRESS) Progress progress) {
        if (progress.moved()) {
            jdbc.update("update sync_delivery set position = ?, attempts = 0, last_error = null, updated_at = now()"
                    + " where feed = ? and endpoint = ?", progress.taken, feed, endpoint);
        }
    }

    /**
     * The endpoint refused or missed an event: its position moves past the events it took before
     * (a failure after some took is the first in a row), and it backs off.
     */
    public void failed(Exchange exchange, @ExchangeProperty(FEED) String feed, @ExchangeProperty(ENDPOINT) String endpoint,
                       @ExchangeProperty(PROGRESS) Progress progress,
                       @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception failure) {
        exchange.setProperty(Exchange.SCHEDULER_POLLED_MESSAGES, false);
        // the failure may quote the URI sent to, secrets and all; the endpoint's name has their placeholders
        String error = shortened(endpoints.scrub(List.of(endpoint), describe(failure)));
        // both expressions read the row's old position
        List<Long> position = jdbc.queryForList("""
                update sync_delivery set attempts = case when position < ? then 1 else attempts + 1 end,
                       position = greatest(position, ?), last_error = ?, updated_at = now()
                 where feed = ? and endpoint = ? returning position""", Long.class, progress.taken, progress.taken,
                error, feed, endpoint);
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
        return URISupport.sanitizeUri(text);
    }

    private static String shortened(String text) {
        return text.length() > ERROR_LENGTH ? text.substring(0, ERROR_LENGTH) : text;
    }
}
