package io.feedsync.notify;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.api.BadRequestException;
import io.feedsync.api.NotFoundException;
import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;

/** Where the endpoints of a feed's {@code notify.changes} stand: for the API and the lag gauge. */
@Component("deliveryStatus")
public class DeliveryStatus {

    private final JdbcTemplate jdbc;
    private final FeedCatalog catalog;

    public DeliveryStatus(JdbcTemplate jdbc, FeedCatalog catalog) {
        this.jdbc = jdbc;
        this.catalog = catalog;
    }

    /** Each endpoint of the feed's {@code notify.changes}, in the configured order. */
    public List<Delivery> of(String feed) {
        FeedDefinition definition = catalog.get(feed);
        if (definition.notifications() == null) {
            return List.of();
        }
        return definition.notifications().changes().stream().map(uri -> of(feed, ChangeDeliveries.name(uri))).toList();
    }

    private Delivery of(String feed, String endpoint) {
        Map<String, Object> row = jdbc.queryForMap("""
                select coalesce(d.position, 0) as position, coalesce(d.attempts, 0) as attempts, d.last_error,
                       d.updated_at,
                       (select count(*) from sync_change c where c.feed = ? and c.id > coalesce(d.position, 0)) as pending,
                       coalesce(extract(epoch from now() - (select c.at from sync_change c
                                 where c.feed = ? and c.id > coalesce(d.position, 0) order by c.id limit 1)), 0) as lag
                  from (select 1) one left join sync_delivery d on d.feed = ? and d.endpoint = ?""",
                feed, feed, feed, endpoint);
        return new Delivery(endpoint, ((Number) row.get("position")).longValue(), ((Number) row.get("pending")).longValue(),
                ((Number) row.get("lag")).doubleValue(), ((Number) row.get("attempts")).intValue(),
                (String) row.get("last_error"),
                row.get("updated_at") == null ? null : ((Timestamp) row.get("updated_at")).toInstant());
    }

    /**
     * {@code POST /api/feeds/{feed}/deliveries/{endpoint}/retry}: the endpoint (its place in the
     * feed's {@code notify.changes}, from 1) is tried again at its next poll, without waiting out
     * its backoff. Its last error stays until a delivery succeeds.
     */
    public Delivery retry(String feed, String place) {
        List<String> endpoints = catalog.get(feed).notifications() == null ? List.of()
                : catalog.get(feed).notifications().changes();
        int n;
        try {
            n = Integer.parseInt(place);
        } catch (NumberFormatException e) {
            throw new BadRequestException("an endpoint is named by its place in notify.changes, from 1, not '" + place + "'");
        }
        if (n < 1 || n > endpoints.size()) {
            throw new NotFoundException("feed '" + feed + "' has no endpoint " + n + " in notify.changes ("
                    + endpoints.size() + " endpoints)");
        }
        String endpoint = ChangeDeliveries.name(endpoints.get(n - 1));
        jdbc.update("update sync_delivery set attempts = 0, updated_at = now() where feed = ? and endpoint = ?",
                feed, endpoint);
        return of(feed, endpoint);
    }

    /**
     * For each endpoint of these feeds' {@code notify.changes}: the age of the oldest event it has not
     * taken, in seconds; 0 when none waits. For the lag gauges, on every scrape: one statement for all
     * the endpoints, one index lookup each (sync_change (feed, id)), not the count of the backlog that
     * the API's {@code pending} costs. By feed, then endpoint.
     */
    public Map<String, Map<String, Double>> lagSeconds(Collection<String> feeds) {
        List<String> feedOf = new ArrayList<>();
        List<String> endpoints = new ArrayList<>();
        for (String feed : feeds) {
            catalog.find(feed).filter(definition -> definition.notifications() != null).ifPresent(definition ->
                    definition.notifications().changes().forEach(uri -> {
                        feedOf.add(feed);
                        endpoints.add(ChangeDeliveries.name(uri));
                    }));
        }
        Map<String, Map<String, Double>> lags = new HashMap<>();
        if (feedOf.isEmpty()) {
            return lags;
        }
        jdbc.query("""
                select e.feed, e.endpoint,
                       coalesce(extract(epoch from now() - (select c.at from sync_change c
                                 where c.feed = e.feed and c.id > coalesce((select d.position from sync_delivery d
                                                                             where d.feed = e.feed and d.endpoint = e.endpoint), 0)
                                 order by c.id limit 1)), 0) as lag
                  from unnest(?::text[], ?::text[]) e(feed, endpoint)""",
                rs -> {
                    lags.computeIfAbsent(rs.getString("feed"), feed -> new HashMap<>())
                            .put(rs.getString("endpoint"), rs.getDouble("lag"));
                }, feedOf.toArray(String[]::new), endpoints.toArray(String[]::new));
        return lags;
    }
}
