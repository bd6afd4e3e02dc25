package io.feedsync.ops;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.run.FeedPause;
import io.feedsync.run.FeedPauses;
import io.feedsync.store.TargetTables;

/** {@code /actuator/health} shows each feed's freshness under {@code feeds}: DOWN once it is stale. */
@Configuration(proxyBeanMethods = false)
public class FeedHealth {

    @Bean
    HealthContributor feedsHealthContributor(FeedCatalog catalog, FeedFreshness freshness, TargetTables tables,
                                             FeedPauses pauses) {
        Map<String, HealthIndicator> feeds = new LinkedHashMap<>();
        for (FeedDefinition feed : catalog.all()) {
            feeds.put(feed.name(), new Freshness(feed, freshness, tables, pauses));
        }
        if (feeds.isEmpty()) {
            return (HealthIndicator) () -> Health.up().withDetail("feeds", "none configured").build();
        }
        return CompositeHealthContributor.fromMap(feeds);
    }

    /** One feed; a failure to read its runs (database gone) reports DOWN, as AbstractHealthIndicator does. */
    private static final class Freshness extends AbstractHealthIndicator {

        private final FeedDefinition feed;
        private final FeedFreshness freshness;
        private final TargetTables tables;
        private final FeedPauses pauses;

        Freshness(FeedDefinition feed, FeedFreshness freshness, TargetTables tables, FeedPauses pauses) {
            super("Feed " + feed.name() + ": freshness check failed");
            this.pauses = pauses;
            this.feed = feed;
            this.freshness = freshness;
            this.tables = tables;
        }

        @Override
        protected void doHealthCheck(Health.Builder health) {
            FeedFreshness.Freshness now = freshness.of(feed);
            java.util.Optional<String> missingTable = tables.missing(feed.name());
            java.util.Optional<FeedPause> pause = pauses.of(feed.name());
            // a paused feed goes stale on purpose: its pause is reported, not its age
            if (missingTable.isPresent() || (now.stale(Instant.now()) && pause.isEmpty())) {
                health.down();
            } else {
                health.up();
            }
            pause.ifPresent(held -> health.withDetail("paused", Map.of("since", held.pausedAt().toString(),
                    "by", held.pausedBy(), "reason", held.reason() == null ? "" : held.reason())));
            missingTable.ifPresent(problem -> health.withDetail("targetTable", problem));
            health.withDetail("schedule", feed.schedule() == null ? "manual" : feed.schedule());
            if (now.lastSuccess() != null) {
                health.withDetail("lastSuccess", now.lastSuccess().toString());
            }
            if (now.staleFrom() != null) {
                health.withDetail("staleFrom", now.staleFrom().toString());
            }
        }
    }
}
