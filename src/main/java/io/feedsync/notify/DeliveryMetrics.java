package io.feedsync.notify;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.ops.FeedFact;
import io.feedsync.run.RunCounts;
import io.feedsync.run.RunFinished;

/**
 * Change event metrics (names as Prometheus shows them): {@code feedsync_changes_written_total{feed}}
 * (the changes of runs that wrote, one event each), {@code feedsync_changes_delivered_total{feed,endpoint}},
 * {@code feedsync_changes_delivery_failures_total{feed,endpoint}} and
 * {@code feedsync_changes_delivery_lag_seconds{feed,endpoint}}: how old the oldest event the endpoint
 * has not taken is (0 when it has taken them all), read for all endpoints at once per scrape ({@link FeedFact}).
 */
@Component
public class DeliveryMetrics {

    private final MeterRegistry registry;
    private final FeedCatalog catalog;
    private final FeedFact<Map<String, Double>> lagsByEndpoint;
    /** Each feed's lag gauges, replaced when an API feed's endpoints change, removed when it is deleted. */
    private final Map<String, List<Meter>> lags = new ConcurrentHashMap<>();

    public DeliveryMetrics(MeterRegistry registry, FeedCatalog catalog, DeliveryStatus status) {
        this.registry = registry;
        this.catalog = catalog;
        this.lagsByEndpoint = new FeedFact<>(catalog, status::lagSeconds);
        for (FeedDefinition feed : catalog.all()) {
            register(feed);
        }
    }

    @EventListener
    public void defined(FeedCatalog.Defined defined) {
        forget(defined.feed().name());
        register(defined.feed());
    }

    @EventListener
    public void forgotten(FeedCatalog.Forgotten forgotten) {
        forget(forgotten.feed());
    }

    private void register(FeedDefinition feed) {
        if (feed.notifications() == null) {
            return;
        }
        List<Meter> gauges = new ArrayList<>();
        for (String uri : feed.notifications().changes()) {
            String endpoint = ChangeDeliveries.name(uri);
            gauges.add(Gauge.builder("feedsync.changes.delivery.lag", () -> lagSeconds(feed.name(), endpoint))
                    .description("Age of the oldest change event the endpoint has not taken yet (0: none waits)")
                    .baseUnit("seconds")
                    .tag("feed", feed.name()).tag("endpoint", endpoint)
                    .register(registry));
        }
        lags.put(feed.name(), gauges);
    }

    /** NaN for an endpoint the feed no longer has (its gauge is on its way out). */
    private double lagSeconds(String feed, String endpoint) {
        Map<String, Double> endpoints = lagsByEndpoint.of(feed);
        Double lag = endpoints == null ? null : endpoints.get(endpoint);
        return lag == null ? Double.NaN : lag;
    }

    private void forget(String feed) {
        List<Meter> gauges = lags.remove(feed);
        if (gauges != null) {
            gauges.forEach(registry::remove);
        }
    }

    @EventListener
    public void runFinished(RunFinished run) {
        if (run.request().dryRun() || !catalog.contains(run.feed()) || catalog.get(run.feed()).notifications() == null) {
            return;
        }
        RunCounts counts = run.counts();
        Counter.builder("feedsync.changes.written")
                .description("Change events written to the outbox (one per row a run changed)")
                .tag("feed", run.feed())
                .register(registry).increment(counts.inserted() + counts.updated() + counts.deleted());
    }

    void delivered(String feed, String endpoint) {
        Counter.builder("feedsync.changes.delivered")
                .description("Change events an endpoint took")
                .tag("feed", feed).tag("endpoint", endpoint)
                .register(registry).increment();
    }

    void failed(String feed, String endpoint) {
        Counter.builder("feedsync.changes.delivery.failures")
                .description("Failed attempts to deliver a change event")
                .tag("feed", feed).tag("endpoint", endpoint)
                .register(registry).increment();
    }
}
