package io.feedsync.config;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import io.feedsync.support.StartupCheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The feeds of a node's configuration are read as startup reads them — the names as written in the
 * environment, then bound and checked by {@link FeedCatalog} — without starting the application:
 * StartupValidationTest shows that such a refusal stops startup with its one line; these show what
 * is refused, and that text which looks like SQL never gets near PostgreSQL.
 */
class ConfiguredFeedsTest {

    @Test
    void anUnknownAuthTypeIsRefusedWithTheTypesThereAre() {
        Map<String, Object> feed = StartupCheck.oneFeed();
        feed.put("feedsync.feeds.partners.source.auth.type", "kerberos");

        assertRefused(feed, "feedsync.feeds.partners.source.auth.type: unknown type 'kerberos' (expected one of"
                + " api-key, basic, bearer, none, oauth2-client-credentials)");
    }

    @Test
    void aTagThatIsNoTagIsRefused() {
        Map<String, Object> feed = StartupCheck.oneFeed();
        feed.put("feedsync.feeds.partners.tags[0]", "nightly");
        feed.put("feedsync.feeds.partners.tags[1]", "Night Shift");

        assertRefused(feed, "feedsync.feeds.partners.tags[1]: 'Night Shift' is not a tag");
    }

    @Test
    void aValidFeedIsRead() {
        FeedCatalog catalog = catalog(StartupCheck.oneFeed());

        assertThat(catalog.get("partners").target().table()).isEqualTo("test_plans");
        assertThat(catalog.get("partners").source().timeout()).hasSeconds(30);
    }

    /**
     * Identifiers must be plain lower-case SQL identifiers and pointers JSON pointers, checked as the
     * feeds are read, so no SQL is ever built from them. A map key (feed name, mapped column) is
     * judged as written, not as Spring would have mangled it.
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
    void sqlLookingConfigurationIsRefusedNamingTheFeedAndKey(String key, String value, String message) {
        Map<String, Object> feed = StartupCheck.oneFeed();
        feed.put(key, value);

        assertRefused(feed, message);
    }

    private static void assertRefused(Map<String, Object> properties, String message) {
        assertThatThrownBy(() -> catalog(properties)).isInstanceOf(FeedConfigException.class)
                .hasMessageStartingWith(message);
    }

    /** What a node's startup makes of these properties, given as {@code --key=value} arguments. */
    private static FeedCatalog catalog(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("arguments", new LinkedHashMap<>(properties)));
        FeedsyncProperties feeds = Binder.get(environment).bindOrCreate("feedsync", FeedsyncProperties.class);
        return new FeedCatalog(feeds, FeedLimits.DEFAULTS, environment, event -> { });
    }
}
