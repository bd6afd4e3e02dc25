package io.feedsync.ops;

import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.NamedContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.run.FeedPause;
import io.feedsync.run.FeedPauses;
import io.feedsync.run.RefusedDefinitions;
import io.feedsync.store.TargetTables;

/**
 * {@code /actuator/health} shows each feed's freshness under {@code feeds}: DOWN once it is stale. The
 * feeds are read from the catalog at each check, so a feed defined over the API is there as soon as
 * this node knows it, and gone once it is deleted. A feed whose stored definition this node refuses
 * ({@link RefusedDefinitions}) is DOWN, with the problems under {@code refused}. What a check reads
 * from the database is read for all its feeds at once ({@link FeedFact}).
 */
@Configuration(proxyBeanMethods = false)
public class FeedHealth {

    @Bean
    HealthContributor feedsHealthContributor(FeedCatalog catalog, FeedFreshness freshness, TargetTables tables,
                                             FeedPauses feedPauses, RefusedDefinitions refused) {
        Facts facts = new Facts(freshness, tables, new FeedFact<>(catalog, tables::missingTablesThere),
                new FeedFact<>(catalog, feeds -> feedPauses.all()), refused);
        return new CompositeHealthContributor() {
            @Override
            public HealthContributor getContributor(String name) {
                return catalog.find(name).<HealthContributor>map(feed -> new Freshness(feed, facts))
                        .orElseGet(() -> refused.of(name).map(Refused::new).orElse(null));
            }

            @Override
            public Iterator<NamedContributor<HealthContributor>> iterator() {
                Stream<NamedContributor<HealthContributor>> known = catalog.all().stream().map(feed -> NamedContributor
                        .of(feed.name(), new Freshness(feed, facts)));
                // a feed refused at its first version here is in no catalog, yet it is a feed that does not run
                Stream<NamedContributor<HealthContributor>> notRunning = refused.all().entrySet().stream()
                        .filter(entry -> !catalog.contains(entry.getKey()))
                        .map(entry -> NamedContributor.of(entry.getKey(), new Refused(entry.getValue())));
                return Stream.concat(known, notRunning).iterator();
            }
        };
    }

    /** A feed whose stored definition this node refuses (its newest version; an older one may still run): DOWN. */
    private static final class Refused implements HealthIndicator {

        private final RefusedDefinitions.Refusal refusal;

        Refused(RefusedDefinitions.Refusal refusal) {
            this.refusal = refusal;
        }

        @Override
        public Health health() {
            return Health.down().withDetail("refused", details(refusal)).build();
        }

        static Map<String, Object> details(RefusedDefinitions.Refusal refusal) {
            return Map.of("version", refusal.version(), "problems", refusal.problems());
        }
    }

    /** What the feeds' checks read; {@code tablesThere} and {@code pauses} once for all the feeds of a check. */
    private record Facts(FeedFreshness freshness, TargetTables tables, FeedFact<Boolean> tablesThere,
                         FeedFact<FeedPause> pauses, RefusedDefinitions refused) {
    }

    /** One feed; a failure to read its runs (database gone) reports DOWN, as AbstractHealthIndicator does. */
    private static final class Freshness extends AbstractHealthIndicator {

        private final FeedDefinition feed;
        private final Facts facts;

        Freshness(FeedDefinition feed, Facts facts) {
            super("Feed " + feed.name() + ": freshness check failed");
            this.feed = feed;
            this.facts = facts;
        }

        @Override
        protected void doHealthCheck(Health.Builder health) {
            FeedFreshness.Freshness now = facts.freshness().of(feed);
            java.util.Optional<String> missingTable = facts.tables().missing(feed.name(),
                    Boolean.TRUE.equals(facts.tablesThere().of(feed.name())));
            java.util.Optional<FeedPause> pause = java.util.Optional.ofNullable(facts.pauses().of(feed.name()));
            java.util.Optional<RefusedDefinitions.Refusal> refusal = facts.refused().of(feed.name());
            refusal.ifPresent(newest -> health.withDetail("refused", Refused.details(newest)));
            // a paused feed goes stale on purpose: its pause is reported, not its age
            if (missingTable.isPresent() || refusal.isPresent() || (now.stale(Instant.now()) && pause.isEmpty())) {
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
