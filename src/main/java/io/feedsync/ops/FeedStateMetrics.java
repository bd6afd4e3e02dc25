package io.feedsync.ops;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.run.FeedPause;
import io.feedsync.run.FeedPauses;
import io.feedsync.store.DeadLetters;

/**
 * Gauges read from the database at each scrape, so that every node of a cluster tells the same
 * (names as Prometheus shows them): {@code feedsync_feed_stale{feed}}, 1 while the feed is stale as
 * {@code /actuator/health} judges it (its schedule's {@code stale-after} fires passed without a
 * success) and not paused, else 0; {@code feedsync_feed_paused{feed}}, 1 while it is paused; and
 * {@code feedsync_dead_letters{feed}}, its dead letters waiting for a replay; and
 * {@code feedsync_feed_pending_deletes{feed}}, the rows its last successful full run left in place
 * although it did not see them ({@link PendingDeletes}; NaN before its first).
 * Each fact is a {@link FeedFact}, read for all feeds in one query that the gauges of one scrape share.
 * With the database gone they read NaN. A feed defined over the API gets them when this node takes
 * it in, and loses them when it is deleted.
 */
@Component
public class FeedStateMetrics {

    private final MeterRegistry registry;
    private final FeedCatalog catalog;
    private final FeedFreshness freshness;
    private final FeedFact<Long> deadLetters;
    private final FeedFact<FeedPause> pauses;
    private final PendingDeletes pendingDeletes;
    private final Map<String, List<Meter>> gauges = new ConcurrentHashMap<>();

    public FeedStateMetrics(MeterRegistry registry, FeedCatalog catalog, FeedFreshness freshness,
            DeadLetters deadLetters, FeedPauses pauses, PendingDeletes pendingDeletes) {
        this.registry = registry;
        this.catalog = catalog;
        this.freshness = freshness;
        this.deadLetters = new FeedFact<>(catalog, deadLetters::pendingCounts);
        this.pauses = new FeedFact<>(catalog, feeds -> pauses.all());
        this.pendingDeletes = pendingDeletes;
        catalog.all().forEach(feed -> register(feed.name()));
    }

    @EventListener
    public void defined(FeedCatalog.Defined defined) {
        register(defined.feed().name());
    }

    @EventListener
    public void forgotten(FeedCatalog.Forgotten forgotten) {
        List<Meter> meters = gauges.remove(forgotten.feed());
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }

    /** The feed's gauges; they read its definition at each scrape, so a changed schedule counts at once. */
    private void register(String feed) {
        gauges.computeIfAbsent(feed, name -> List.of(
                // a paused feed goes stale on purpose: it is reported as paused, as health does
                Gauge.builder("feedsync.feed.stale", () -> stale(name) && !paused(name) ? 1 : 0)
                        .description("1 while the feed is stale (as /actuator/health judges it), else 0")
                        .tag("feed", name)
                        .register(registry),
                Gauge.builder("feedsync.feed.paused", () -> paused(name) ? 1 : 0)
                        .description("1 while the feed is paused (no node starts a run of it), else 0")
                        .tag("feed", name)
                        .register(registry),
                Gauge.builder("feedsync.dead.letters", () -> {
                            Long waiting = deadLetters.of(name);
                            return waiting == null ? 0 : waiting;
                        })
                        .description("The feed's dead letters waiting for a replay")
                        .tag("feed", name)
                        .register(registry),
                Gauge.builder("feedsync.feed.pending.deletes", () -> {
                            Long pending = pendingDeletes.of(name);
                            return pending == null ? Double.NaN : pending;
                        })
                        .description("Rows the feed's last successful full run did not see but left in place "
                                + "(missed by fewer consecutive full runs than target.soft-delete-after)")
                        .tag("feed", name)
                        .register(registry)));
    }

    private boolean stale(String feed) {
        FeedDefinition definition = catalog.find(feed).orElse(null);
        return definition != null && freshness.of(definition).stale(Instant.now());
    }

    private boolean paused(String feed) {
        return pauses.of(feed) != null;
    }
}
