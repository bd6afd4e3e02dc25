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

/** {@code /actuator/health} shows each feed's freshness under {@code feeds}: DOWN once it is stale. */
@Configuration(proxyBeanMethods = false)
public class FeedHealth {

    @Bean
    HealthContributor feedsHealthContributor(FeedCatalog catalog, FeedFreshness freshness) {
        Map<String, HealthIndicator> feeds = new LinkedHashMap<>();
        for (FeedDefinition feed : catalog.all()) {
            feeds.put(feed.name(), new Freshness(feed, freshness));
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

        Freshness(FeedDefinition feed, FeedFreshness freshness) {
            super("Feed " + feed.name() + ": freshness check failed");
            this.feed = feed;
            this.freshness = freshness;
        }

        @Override
        protected void doHealthCheck(Health.Builder health) {
            FeedFreshness.Freshness now = freshness.of(feed);
            if (now.stale(Instant.now())) {
                health.down();
            } else {
                health.up();
            }
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
