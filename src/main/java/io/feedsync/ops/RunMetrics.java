package io.feedsync.ops;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.run.RunCounts;
import io.feedsync.run.RunFinished;
import io.feedsync.run.RunGuard;
import io.feedsync.run.RunStatus;
import io.feedsync.run.RunTrigger;

/**
 * Run metrics, fed by {@link RunFinished} (names as Prometheus shows them):
 * {@code feedsync_runs_total{feed,status,trigger}}, {@code feedsync_run_duration_seconds{feed,status}}
 * (histogram), {@code feedsync_records_total{feed,outcome}}, {@code feedsync_records_fetched_total{feed}},
 * {@code feedsync_pages_fetched_total{feed}}, {@code feedsync_last_success_timestamp_seconds{feed}} and
 * {@code feedsync_drift_records{feed}} (from the last drift check); and {@code feedsync_runs_queued}, the
 * runs waiting QUEUED on this node for a slot of its run pool.
 * What every run read from the upstream counts, dry runs and drift checks too: their pages and
 * records fetched. What was applied does not count for a dry run (nothing was written), nor does its
 * success (nothing was refreshed).
 */
@Component
public class RunMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicReference<Instant>> lastSuccess = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<Long>> drift = new ConcurrentHashMap<>();

    private final FeedFreshness freshness;
    /** The two gauges of each feed, removed with the feed (API feeds). */
    private final Map<String, List<Meter>> gauges = new ConcurrentHashMap<>();

    public RunMetrics(MeterRegistry registry, FeedCatalog catalog, FeedFreshness freshness, RunGuard guard) {
        this.registry = registry;
        this.freshness = freshness;
        Gauge.builder("feedsync.runs.queued", guard, RunGuard::queuedHere)
                .description("Runs waiting QUEUED on this node for a slot of its run pool (feedsync.max-concurrent-runs)")
                .register(registry);
        Map<String, Instant> known = freshness.lastSuccesses(catalog.all().stream().map(FeedDefinition::name).toList());
        for (FeedDefinition feed : catalog.all()) {
            register(feed.name(), known.get(feed.name()));
        }
    }

    /** A feed defined over the API gets its gauges when this node takes it in. */
    @EventListener
    public void defined(FeedCatalog.Defined defined) {
        String feed = defined.feed().name();
        if (!gauges.containsKey(feed)) {
            register(feed, lastSuccess(defined.feed()));
        }
    }

    @EventListener
    public void forgotten(FeedCatalog.Forgotten forgotten) {
        List<Meter> meters = gauges.remove(forgotten.feed());
        if (meters != null) {
            meters.forEach(registry::remove);
        }
        lastSuccess.remove(forgotten.feed());
        drift.remove(forgotten.feed());
    }

    /** The feed's last success as the runs table has it; unknown (NaN) with the database away: its next success sets it. */
    private Instant lastSuccess(FeedDefinition feed) {
        try {
            return freshness.of(feed).lastSuccess();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void register(String feed, Instant knownSuccess) {
        AtomicReference<Instant> last = lastSuccess.computeIfAbsent(feed, name -> new AtomicReference<>());
        if (knownSuccess != null) {
            last.compareAndSet(null, knownSuccess);
        }
        AtomicReference<Long> lastDrift = drift.computeIfAbsent(feed, name -> new AtomicReference<>());
        gauges.put(feed, List.of(
                Gauge.builder("feedsync.last.success.timestamp", last,
                                ref -> ref.get() == null ? Double.NaN : ref.get().toEpochMilli() / 1000.0)
                        .description("When the feed's last successful (not dry) run finished, in seconds since the epoch")
                        .baseUnit("seconds")
                        .tag("feed", feed)
                        .register(registry),
                Gauge.builder("feedsync.drift.records", lastDrift, ref -> ref.get() == null ? Double.NaN : ref.get())
                        .description("Records that differ between the upstream and the table at the last drift check "
                                + "(missing locally + extra locally + different)")
                        .tag("feed", feed)
                        .register(registry)));
    }

    @EventListener
    public void runFinished(RunFinished run) {
        Counter.builder("feedsync.runs")
                .description("Finished runs")
                .tag("feed", run.feed()).tag("status", run.status().name()).tag("trigger", run.request().trigger().value())
                .register(registry).increment();
        Timer.builder("feedsync.run.duration")
                .description("How long runs took")
                .tag("feed", run.feed()).tag("status", run.status().name())
                .publishPercentileHistogram()
                .register(registry).record(run.duration());
        Counter.builder("feedsync.pages.fetched")
                .description("Export pages fetched, by any run")
                .tag("feed", run.feed())
                .register(registry).increment(run.pages());
        Counter.builder("feedsync.records.fetched")
                .description("Records read from the upstream, by any run")
                .tag("feed", run.feed())
                .register(registry).increment(run.counts().fetched());
        if (run.request().trigger() == RunTrigger.DRIFT && run.status() == RunStatus.SUCCEEDED) {
            RunCounts counts = run.counts();
            drift.computeIfAbsent(run.feed(), feed -> new AtomicReference<>())
                    .set(counts.inserted() + counts.updated() + counts.deleted());
        }
        if (run.request().dryRun()) {
            return;
        }
        RunCounts counts = run.counts();
        records(run.feed(), "inserted", counts.inserted());
        records(run.feed(), "updated", counts.updated());
        records(run.feed(), "unchanged", counts.unchanged());
        records(run.feed(), "deleted", counts.deleted());
        records(run.feed(), "dead_lettered", counts.deadLettered());
        if (run.status() == RunStatus.SUCCEEDED) {
            lastSuccess.computeIfAbsent(run.feed(), feed -> new AtomicReference<>()).set(Instant.now());
        }
    }

    private void records(String feed, String outcome, long count) {
        Counter.builder("feedsync.records")
                .description("Records applied, by what happened to them")
                .tag("feed", feed).tag("outcome", outcome)
                .register(registry).increment(count);
    }
}
