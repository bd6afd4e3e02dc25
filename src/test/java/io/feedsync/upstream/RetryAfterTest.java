package io.feedsync.upstream;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void delaySecondsAndHttpDateAreBothUnderstood() {
        assertThat(RetryAfter.parse("120", NOW)).isEqualTo(Duration.ofSeconds(120));
        assertThat(RetryAfter.parse("Mon, 23 Nov 2026 10:00:30 GMT", NOW)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void dateInThePastMeansNowAndGarbageMeansNothing() {
        assertThat(RetryAfter.parse("Mon, 23 Nov 2026 09:00:00 GMT", NOW)).isZero();
        assertThat(RetryAfter.parse("soon", NOW)).isNull();
        assertThat(RetryAfter.parse(null, NOW)).isNull();
    }

    @Test
    void backoffIsExponentialCappedAndJittered() {
        RetryPolicy policy = new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertThat(policy.backoffMillis(1, 0.0)).isEqualTo(500);
        assertThat(policy.backoffMillis(1, 1.0)).isEqualTo(1000);
        assertThat(policy.backoffMillis(3, 1.0)).isEqualTo(4000);
        assertThat(policy.backoffMillis(4, 1.0)).isEqualTo(5000);
        assertThat(policy.backoffMillis(9, 0.5)).isBetween(2500L, 5000L);
    }
}
