package io.feedsync.ops;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

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
            feeds.put(feed.name(), () -> health(feed, freshness.of(feed)));
        }
        if (feeds.isEmpty()) {
            return (HealthIndicator) () -> Health.up().withDetail("feeds", "none configured").build();
        }
        return CompositeHealthContributor.fromMap(feeds);
    }

    private static Health health(FeedDefinition feed, FeedFreshness.Freshness freshness) {
        Health.Builder health = freshness.stale(Instant.now()) ? Health.down() : Health.up();
        health.withDetail("schedule", feed.schedule() == null ? "manual" : feed.schedule());
        if (freshness.lastSuccess() != null) {
            health.withDetail("lastSuccess", freshness.lastSuccess().toString());
        }
        if (freshness.staleFrom() != null) {
            health.withDetail("staleFrom", freshness.staleFrom().toString());
        }
        return health.build();
    }
}
