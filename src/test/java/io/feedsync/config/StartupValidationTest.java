package io.feedsync.config;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import io.feedsync.support.StartupCheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A feed that cannot work stops feedsync at startup with one line naming the feed and the key. */
@ExtendWith(OutputCaptureExtension.class)
class StartupValidationTest {

    @Test
    void unknownAuthTypeStopsStartup(CapturedOutput output) {
        Map<String, Object> feed = feed();
        feed.put("feedsync.feeds.partners.source.auth.type", "kerberos");

        assertStartupFails(feed, output,
                "feedsync.feeds.partners.source.auth.type: unknown type 'kerberos' (expected one of api-key, basic, bearer, none, oauth2-client-credentials)");
    }

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
    void aTagThatIsNoTagStopsStartup(CapturedOutput output) {
        Map<String, Object> feed = feed();
        feed.put("feedsync.feeds.partners.tags[0]", "nightly");
        feed.put("feedsync.feeds.partners.tags[1]", "Night Shift");

        assertStartupFails(feed, output, "feedsync.feeds.partners.tags[1]: 'Night Shift' is not a tag");
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

    /**
     * Text that looks like SQL never gets near PostgreSQL: identifiers must be plain lower-case SQL
     * identifiers and pointers JSON pointers, checked as the feeds are read, so no SQL is ever built
     * from them. A map key (feed name, mapped column) is judged as written, not as Spring
     * would have mangled it.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            feedsync.feeds.x; drop table sync_run.source.url   | http://127.0.0.1:1/x       | feedsync.feeds.x; drop table sync_run: feed names are lower-case letters, digits and '-'
            feedsync.feeds[x; drop table sync_run].source.url  | http://127.0.0.1:1/x       | feedsync.feeds.x; drop table sync_run: feed names are lower-case letters, digits and '-'
            feedsync.feeds.partners.target.table               | plans; drop table sync_run | feedsync.feeds.partners.target.table: 'plans; drop table sync_run' is not a plain lower-case SQL identifier
            feedsync.feeds.partners.target.key                 | epa_type" ; drop table sync_run; -- | feedsync.feeds.partners.target.key: 'epa_type" ; drop table sync_run; --' is not a plain lower-case SQL identifier
            feedsync.feeds.partners.target.soft-delete         | deleted_at = now() --      | feedsync.feeds.partners.target.soft-delete: 'deleted_at = now() --' is not a plain lower-case SQL identifier
            feedsync.feeds.partners.transform.mapping.x; drop table sync_run | /x           | feedsync.feeds.partners.transform.mapping.x; drop table sync_run: 'x; drop table sync_run' is not a plain lower-case SQL identifier
            feedsync.feeds.partners.transform.mapping.epa_type | '; drop table sync_run; -- | feedsync.feeds.partners.transform.mapping.epa_type: ''; drop table sync_run; --' is not a JSON pointer
            feedsync.feeds.partners.source.incremental.cursor  | x'; --                     | feedsync.feeds.partners.source.incremental.cursor: 'x'; --' is not a JSON pointer
            """)
    void sqlLookingConfigurationStopsStartupNamingTheFeedAndKey(String key, String value, String message,
                                                                 CapturedOutput output) {
        Map<String, Object> feed = feed();
        feed.put(key, value);

        assertStartupFails(feed, output, message);
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
