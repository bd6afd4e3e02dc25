package io.feedsync.config;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import io.feedsync.support.StartupCheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A feed that cannot work stops feedsync at startup with one line naming the feed and the key: a rule
 * of the schema (one case here; the rules themselves in ConfiguredFeedsTest and FeedCatalogTest, without
 * the application), and what only the running node can tell — the database's tables, the beans.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupValidationTest {

    @Test
    void aTargetTableOfFeedsyncsOwnStopsStartup(CapturedOutput output) {
        Map<String, Object> feed = feed();
        feed.put("feedsync.feeds.partners.target.table", "sync_watermark");
        feed.put("feedsync.feeds.partners.target.key", "feed");
        feed.remove("feedsync.feeds.partners.transform.mapping.epa_type");
        feed.remove("feedsync.feeds.partners.transform.mapping.ncpdp_version");
        feed.put("feedsync.feeds.partners.transform.mapping.feed", "/key");

        assertStartupFails(feed, output, "feedsync.feeds.partners.target.table: table 'sync_watermark' is one of "
                + "feedsync's own (schema feedsync); name a table of yours, with its schema if it is not on the search path");
    }

    @Test
    void moreRunsAtOnceThanThePoolHasConnectionsStopsStartup(CapturedOutput output) {
        Map<String, Object> properties = feed();
        properties.put("feedsync.max-concurrent-runs", "10");

        assertStartupFails(properties, output, "feedsync.max-concurrent-runs: 10 runs at once would hold every "
                + "connection of the database pool (spring.datasource.hikari.maximum-pool-size: 10)");
        properties.put("feedsync.max-concurrent-runs", "0");
        assertStartupFails(properties, output, "feedsync.max-concurrent-runs: must be at least 1, not 0");
    }

    @Test
    void aMisspeltKeyStopsStartupNamingTheKeyMeant(CapturedOutput output) {
        Map<String, Object> feed = feed();
        feed.put("feedsync.feeds.partners.shedule", "0 0 1 * * ?");

        assertStartupFails(feed, output,
                "feedsync.feeds.partners.shedule: unknown key; did you mean 'schedule'?");
    }

    @Test
    void anInvalidSchemaNameStopsStartup(CapturedOutput output) {
        Map<String, Object> feed = feed();
        feed.put("feedsync.schema", "feedsync; drop table x");

        assertStartupFails(feed, output, "feedsync.schema: 'feedsync; drop table x' is not a plain lower-case SQL identifier");
    }

    @Test
    void keyWithoutUniqueConstraintStopsStartup(CapturedOutput output) {
        Map<String, Object> feed = feed();
        feed.put("feedsync.feeds.partners.target.table", "test_no_unique_key");

        assertStartupFails(feed, output, "feedsync.feeds.partners.target.key: table 'test_no_unique_key' has no unique "
                + "constraint on (epa_type); upserts need one");
    }

    @Test
    void mappedColumnMissingFromTheTableStopsStartup(CapturedOutput output) {
        Map<String, Object> feed = feed();
        feed.put("feedsync.feeds.partners.transform.mapping.colour", "/colour");

        assertStartupFails(feed, output,
                "feedsync.feeds.partners.transform.mapping.colour: table 'test_plans' has no column 'colour'");
    }

    @Test
    void unknownTransformBeanStopsStartup(CapturedOutput output) {
        Map<String, Object> feed = feed();
        feed.remove("feedsync.feeds.partners.transform.mapping.epa_type");
        feed.remove("feedsync.feeds.partners.transform.mapping.ncpdp_version");
        feed.put("feedsync.feeds.partners.transform.bean", "noSuchMapper");

        assertStartupFails(feed, output, "feedsync.feeds.partners.transform.bean: no bean named 'noSuchMapper'");
    }

    @Test
    void validFeedStarts() {
        try (ConfigurableApplicationContext context = start(feed())) {
            assertThat(context.getBean(FeedCatalog.class).get("partners").target().table()).isEqualTo("test_plans");
        }
    }

    private static void assertStartupFails(Map<String, Object> properties, CapturedOutput output, String message) {
        assertThatThrownBy(() -> start(properties).close())
                .hasRootCauseInstanceOf(FeedConfigException.class)
                .rootCause().hasMessageStartingWith(message);
        assertThat(output.getOut() + output.getErr())
                .contains("Invalid feed configuration: " + message);
    }

    private static ConfigurableApplicationContext start(Map<String, Object> properties) {
        return StartupCheck.start(properties);
    }

    private static Map<String, Object> feed() {
        return StartupCheck.oneFeed();
    }
}
