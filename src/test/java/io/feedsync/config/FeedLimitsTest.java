package io.feedsync.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import io.feedsync.upstream.RetryPolicy;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The arithmetic of {@link FeedLimits}: a schedule's smallest gap between fires, a retry policy's
 * longest total wait, and which limits hold a configured feed (all but the schedule and backoff floors).
 * (security.BoundsSecurityTest: every limit through the API and at startup.)
 */
class FeedLimitsTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            * * * * * ?              | PT1S
            0,1 * * * * ?            | PT1S
            */30 * * * * ?           | PT30S
            0 * * * * ?              | PT1M
            0 */5 * * * ?            | PT5M
            0 0,59 * * * ?           | PT1M
            0 0 0,23 1,2 1 ?         | PT1H
            0 0 0,23 1,L * ?         | PT1H
            * * * * * ? 2099         | PT1S
            0 */5 * * * ? 2099       | PT5M
            """)
    void theSmallestGapBetweenFiresIsFoundWhereverItIs(String cron, Duration gap) {
        assertThat(FeedLimits.smallestGap(cron)).isEqualTo(gap);
    }

    @Test
    void aScheduleThatFiresOnceOrNeverHasNoGap() {
        assertThat(FeedLimits.smallestGap("0 0 0 1 1 ? 2099")).isNull();
        assertThat(FeedLimits.smallestGap("0 0 0 1 1 ? 2020")).isNull();
    }

    @Test
    void theRetryTimeIsEveryBackoffAtItsLongestCappedByMaxBackoff() {
        assertThat(FeedLimits.retryTime(new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(60)))).isZero();
        // 1 + 2 + 4 + 8 s
        assertThat(FeedLimits.retryTime(new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(60))))
                .hasSeconds(15);
        // 1 + 2 + 4 + 8 + 16 + 32 s, then 13 waits of 60 s
        assertThat(FeedLimits.retryTime(new RetryPolicy(20, Duration.ofSeconds(1), Duration.ofSeconds(60))))
                .hasSeconds(63 + 13 * 60);
        assertThat(FeedLimits.retryTime(new RetryPolicy(13, Duration.ofMinutes(5), Duration.ofMinutes(5))))
                .isEqualTo(Duration.ofHours(1));
    }

    @Test
    void aConfiguredFeedMayFireEverySecondAndBackOffBriefly() {
        Map<String, Object> fast = feed();
        fast.put("feedsync.feeds.partners.schedule", "* * * * * ?");
        fast.put("feedsync.feeds.partners.source.retry.initial-backoff", "1ms");

        assertThat(FeedValidator.define("partners", bind(fast), FeedLimits.DEFAULTS, false).schedule())
                .isEqualTo("* * * * * ?");
        assertThatThrownBy(() -> FeedValidator.define("partners", bind(fast), FeedLimits.DEFAULTS, true))
                .isInstanceOfSatisfying(FeedConfigException.class, refused -> assertThat(refused.problems())
                        .extracting(Throwable::getMessage).containsExactly(
                                "feedsync.feeds.partners.schedule: '* * * * * ?' fires 1s apart; a feed defined over"
                                        + " the API fires at most every 1m (feedsync.limits.min-schedule-interval)",
                                "feedsync.feeds.partners.source.retry.initial-backoff: 1ms is under this node's floor"
                                        + " of 100ms for a feed defined over the API (feedsync.limits.min-backoff)"));
    }

    @Test
    void aConfiguredFeedIsHeldToTheNumericLimits() {
        Map<String, Object> big = feed();
        big.put("feedsync.feeds.partners.chunk-size", "2147483647");
        big.put("feedsync.feeds.partners.source.timeout", "3650d");

        assertThatThrownBy(() -> FeedValidator.define("partners", bind(big), FeedLimits.DEFAULTS, false))
                .isInstanceOfSatisfying(FeedConfigException.class, refused -> assertThat(refused.problems())
                        .extracting(Throwable::getMessage).containsExactly(
                                "feedsync.feeds.partners.chunk-size: 2147483647 is over this node's limit of 10000"
                                        + " (feedsync.limits.max-chunk-size)",
                                "feedsync.feeds.partners.source.timeout: 3650d is over this node's limit of 1h"
                                        + " (feedsync.limits.max-timeout)"));
    }

    @Test
    void theDefaultsAreThoseDocumented() {
        assertThat(FeedLimits.DEFAULTS).isEqualTo(new FeedLimits(1000, Duration.ofMinutes(1), 20, Duration.ofHours(1),
                Duration.ofMillis(100), 10_000, 64, org.springframework.util.unit.DataSize.ofMegabytes(256), 1_000_000,
                Duration.ofHours(1)));
    }

    @Test
    void aLimitThatIsNoLimitStopsStartup() {
        assertThatThrownBy(() -> new Binder(new MapConfigurationPropertySource(Map.of("feedsync.limits.max-feeds", "0")))
                .bind("feedsync.limits", FeedLimits.class))
                .hasRootCauseInstanceOf(FeedConfigException.class)
                .rootCause().hasMessage("feedsync.limits.max-feeds: must be positive, not 0");
    }

    @Test
    void durationsAndSizesAreShownAsOneWouldWriteThem() {
        assertThat(FeedLimits.text(Duration.ofDays(3650))).isEqualTo("3650d");
        assertThat(FeedLimits.text(Duration.ofSeconds(90))).isEqualTo("1m 30s");
        assertThat(FeedLimits.text(Duration.ofMillis(1))).isEqualTo("1ms");
        assertThat(FeedLimits.text(org.springframework.util.unit.DataSize.ofTerabytes(8))).isEqualTo("8TB");
        assertThat(FeedLimits.text(org.springframework.util.unit.DataSize.ofBytes(1500))).isEqualTo("1500B");
    }

    private static FeedsyncProperties.Feed bind(Map<String, Object> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bind("feedsync", FeedsyncProperties.class)
                .get().feeds().get("partners");
    }

    private static Map<String, Object> feed() {
        Map<String, Object> feed = new LinkedHashMap<>();
        feed.put("feedsync.feeds.partners.source.url", "https://gateway.example.org/export");
        feed.put("feedsync.feeds.partners.transform.mapping.epa_type", "/key");
        feed.put("feedsync.feeds.partners.target.table", "plans");
        feed.put("feedsync.feeds.partners.target.key", "epa_type");
        return feed;
    }
}
