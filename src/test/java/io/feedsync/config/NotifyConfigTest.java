package io.feedsync.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** A feed's {@code notify} section: bound under that name, defaulted, and refused with its full key when wrong. */
class NotifyConfigTest {

    private static final String FEED = "feedsync.feeds.partners.";

    private static Map<String, String> validFeed() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(FEED + "source.url", "https://gateway.example.org/export");
        properties.put(FEED + "transform.mapping.epa_type", "/key");
        properties.put(FEED + "target.table", "plans");
        properties.put(FEED + "target.key[0]", "epa_type");
        return properties;
    }

    private static FeedDefinition define(Map<String, String> properties) {
        FeedsyncProperties bound = new Binder(new MapConfigurationPropertySource(properties))
                .bind("feedsync", FeedsyncProperties.class).get();
        return FeedValidator.define("partners", bound.feeds().get("partners"));
    }

    @Test
    void feedWithoutNotifyHasNone() {
        assertThat(define(validFeed()).notifications()).isNull();
    }

    @Test
    void notifySectionIsBoundWithItsDefaults() {
        Map<String, String> properties = validFeed();
        properties.put(FEED + "notify.changes[0]", "https://hooks.example.org/changes");
        properties.put(FEED + "notify.changes[1]", "direct:my-changes");
        properties.put(FEED + "notify.runs[0]", "direct:my-runs");

        FeedDefinition.Notify notify = define(properties).notifications();

        assertThat(notify.changes()).containsExactly("https://hooks.example.org/changes", "direct:my-changes");
        assertThat(notify.runs()).containsExactly("direct:my-runs");
        assertThat(notify.runsOnFailureOnly()).isFalse();
        assertThat(notify.secret()).isNull();
        assertThat(notify.retention()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void runsOnFailureRetentionAndSecretAreReadAndTheSecretNeverShown() {
        Map<String, String> properties = validFeed();
        properties.put(FEED + "notify.runs-on", "failure");
        properties.put(FEED + "notify.retention", "2d");
        properties.put(FEED + "notify.secret", "whsec-Never-Shown-42");

        FeedDefinition feed = define(properties);

        assertThat(feed.notifications().runsOnFailureOnly()).isTrue();
        assertThat(feed.notifications().retention()).isEqualTo(Duration.ofDays(2));
        assertThat(feed.notifications().secret()).isEqualTo("whsec-Never-Shown-42");
        assertThat(feed.toString()).doesNotContain("whsec-Never-Shown-42");
    }

    @Test
    void badNotifyValuesAreNamedByTheirFullKey() {
        Map<String, String> runsOn = validFeed();
        runsOn.put(FEED + "notify.runs-on", "sometimes");
        assertThatThrownBy(() -> define(runsOn)).isInstanceOf(FeedConfigException.class)
                .hasMessageStartingWith(FEED + "notify.runs-on: unknown value 'sometimes' (expected all or failure)");

        Map<String, String> uri = validFeed();
        uri.put(FEED + "notify.changes[0]", "direct:fine");
        uri.put(FEED + "notify.changes[1]", "hooks.example.org/changes");
        assertThatThrownBy(() -> define(uri)).isInstanceOf(FeedConfigException.class)
                .hasMessageStartingWith(FEED + "notify.changes[1]: 'hooks.example.org/changes' is not a Camel endpoint URI");

        Map<String, String> twice = validFeed();
        twice.put(FEED + "notify.runs[0]", "direct:x");
        twice.put(FEED + "notify.runs[1]", "direct:x");
        assertThatThrownBy(() -> define(twice)).hasMessageStartingWith(FEED + "notify.runs: lists an endpoint twice");

        Map<String, String> retention = validFeed();
        retention.put(FEED + "notify.retention", "forever");
        assertThatThrownBy(() -> define(retention)).hasMessageStartingWith(FEED + "notify.retention: 'forever' is not a duration");
    }

    @Test
    void notifyKeysAreKnownAndAMisspeltOneIsNamedWithTheKeyMeant() {
        for (String key : List.of("notify.changes[0]", "notify.runs[2]", "notify.runs-on", "notify.secret", "notify.retention")) {
            assertThatNoException().as(key).isThrownBy(() -> WrittenFeeds.checkWrittenName(FEED + key));
        }
        assertThatThrownBy(() -> WrittenFeeds.checkWrittenName(FEED + "notify.change[0]"))
                .hasMessage(FEED + "notify.change: unknown key; did you mean 'changes'?");
        assertThatThrownBy(() -> WrittenFeeds.checkWrittenName(FEED + "notifications.changes[0]"))
                .hasMessageStartingWith(FEED + "notifications: unknown key");
    }
}
