package io.feedsync.config;

import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.quartz.CronExpression;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

import io.feedsync.upstream.RetryPolicy;
import io.feedsync.upstream.Source;


/**
 * What one feed may ask of this node ({@code feedsync.limits.*}): how often it fires, how long it
 * retries and waits, how much it reads and holds at once, and how many feeds the API may define.
 * Every feed is held to them when it is validated: one of {@code feedsync.feeds} at startup (a
 * value over a limit stops the node, naming the key and the limit), one sent over the API when it is
 * PUT or loaded (a 400 naming the key, the value and the limit). The schedule and the backoff floor
 * apply to API feeds only: whoever writes the configuration is trusted with the node.
 */
@ConfigurationProperties(prefix = "feedsync.limits")
public record FeedLimits(
        @DefaultValue("1000") int maxFeeds,
        @DefaultValue("1m") Duration minScheduleInterval,
        @DefaultValue("20") int maxAttempts,
        @DefaultValue("1h") Duration maxRetryTime,
        @DefaultValue("100ms") Duration minBackoff,
        @DefaultValue("10000") int maxChunkSize,
        @DefaultValue("64") int maxPrefetch,
        @DefaultValue("256MB") DataSize maxPageSize,
        @DefaultValue("1000000") int maxPages,
        @DefaultValue("1h") Duration maxTimeout) {

    /** The limits of a node that sets none. */
    public static final FeedLimits DEFAULTS = new Binder(new MapConfigurationPropertySource())
            .bindOrCreate("feedsync.limits", FeedLimits.class);

    private static final String LIMITS = "feedsync.limits.";
    /**
     * Fires looked at for a schedule's smallest gap. Hours, minutes and seconds fire alike on every
     * day a schedule fires, so the smallest gap shows within its first day or two of fires; a
     * thousand covers that, and the days between (months, weekdays) repeat well within them.
     */
    static final int FIRES_LOOKED_AT = 1000;

    public FeedLimits {
        positive("max-feeds", maxFeeds);
        positive("max-attempts", maxAttempts);
        positive("max-chunk-size", maxChunkSize);
        positive("max-prefetch", maxPrefetch);
        positive("max-pages", maxPages);
        positive("min-schedule-interval", minScheduleInterval);
        positive("max-retry-time", maxRetryTime);
        positive("min-backoff", minBackoff);
        positive("max-timeout", maxTimeout);
        if (maxPageSize == null || maxPageSize.toBytes() <= 0) {
            throw new FeedConfigException(LIMITS + "max-page-size", "must be positive");
        }
    }

    /**
     * Every way the feed is over this node's limits, each naming the feed's key, its value and the
     * limit; {@code api}: a feed defined over the API, also held to the schedule and backoff floors.
     */
    List<FeedConfigException> problems(String prefix, FeedDefinition feed, boolean api) {
        List<FeedConfigException> problems = new ArrayList<>();
        Over over = (key, value, limit, setting) -> problems.add(new FeedConfigException(prefix + "." + key,
                value + " is over this node's limit of " + limit + " (" + LIMITS + setting + ")"));
        if (api && feed.scheduled()) {
            Duration gap = smallestGap(feed.schedule());
            if (gap != null && gap.compareTo(minScheduleInterval) < 0) {
                problems.add(new FeedConfigException(prefix + ".schedule", "'" + feed.schedule() + "' fires "
                        + text(gap) + " apart; a feed defined over the API fires at most every "
                        + text(minScheduleInterval) + " (" + LIMITS + "min-schedule-interval)"));
            }
        }
        if (feed.chunkSize() > maxChunkSize) {
            over.add("chunk-size", feed.chunkSize(), maxChunkSize, "max-chunk-size");
        }
        Source source = feed.source();
        if (source.maxPages() > maxPages) {
            over.add("source.pagination.max-pages", source.maxPages(), maxPages, "max-pages");
        }
        if (source.rateLimit().prefetch() > maxPrefetch) {
            over.add("source.rate-limit.prefetch", source.rateLimit().prefetch(), maxPrefetch, "max-prefetch");
        }
        if (source.maxPageSize().toBytes() > maxPageSize.toBytes()) {
            over.add("source.max-page-size", text(source.maxPageSize()), text(maxPageSize), "max-page-size");
        }
        waiting(over, "source.timeout", source.timeout());
        waiting(over, "source.connect-timeout", source.connectTimeout());
        waiting(over, "statement-timeout", feed.statementTimeout());
        if (source.rateLimit().limited()) {
            Duration between = Duration.ofMillis(source.rateLimit().periodMillis() / source.rateLimit().requestsPerPeriod());
            if (between.compareTo(maxTimeout) > 0) {
                problems.add(new FeedConfigException(prefix + ".source.rate-limit.requests-per-second",
                        source.rateLimit().requestsPerSecond() + " waits " + text(between) + " between requests, over"
                                + " this node's limit of " + text(maxTimeout) + " (" + LIMITS + "max-timeout)"));
            }
        }
        RetryPolicy retry = source.retry();
        if (retry.maxAttempts() > maxAttempts) {
            over.add("source.retry.max-attempts", retry.maxAttempts(), maxAttempts, "max-attempts");
        } else {
            Duration total = retryTime(retry);
            if (total.compareTo(maxRetryTime) > 0) {
                problems.add(new FeedConfigException(prefix + ".source.retry", retry.maxAttempts() + " attempts, backing"
                        + " off from " + text(retry.initialBackoff()) + " up to " + text(retry.maxBackoff())
                        + ", wait up to " + text(total) + " in all, over this node's limit of " + text(maxRetryTime)
                        + " (" + LIMITS + "max-retry-time)"));
            }
        }
        if (api && retry.initialBackoff().compareTo(minBackoff) < 0) {
            problems.add(new FeedConfigException(prefix + ".source.retry.initial-backoff", text(retry.initialBackoff())
                    + " is under this node's floor of " + text(minBackoff) + " for a feed defined over the API ("
                    + LIMITS + "min-backoff)"));
        }
        return problems;
    }

    private void waiting(Over over, String key, Duration wait) {
        if (wait.compareTo(maxTimeout) > 0) {
            over.add(key, text(wait), text(maxTimeout), "max-timeout");
        }
    }

    /**
     * The longest a page's retries may wait in all: the backoff before each attempt after the first,
     * doubling from the initial one, capped at the largest, jitter at its longest. (A Retry-After the
     * upstream sends is honoured instead, up to {@link RetryPolicy#MAX_RETRY_AFTER} a wait.)
     */
    static Duration retryTime(RetryPolicy retry) {
        long total = 0;
        for (int attempt = 1; attempt < retry.maxAttempts(); attempt++) {
            total += retry.backoffMillis(attempt, 1.0);
        }
        return Duration.ofMillis(total);
    }

    /**
     * The shortest time between two consecutive fires of a Quartz cron schedule among its next
     * {@link #FIRES_LOOKED_AT} fires; null if it fires once or never.
     */
    static Duration smallestGap(String cron) {
        CronExpression expression;
        try {
            expression = new CronExpression(cron);
        } catch (ParseException e) {
            throw new IllegalArgumentException("'" + cron + "' is not a Quartz cron expression", e);
        }
        Date fire = expression.getNextValidTimeAfter(new Date());
        Duration smallest = null;
        for (int fires = 1; fire != null && fires < FIRES_LOOKED_AT; fires++) {
            Date next = expression.getNextValidTimeAfter(fire);
            if (next == null) {
                break;
            }
            Duration gap = Duration.ofMillis(next.getTime() - fire.getTime());
            if (smallest == null || gap.compareTo(smallest) < 0) {
                smallest = gap;
            }
            fire = next;
        }
        return smallest;
    }

    /** A duration as one would write it: 1h, 90s, 1h 30m, 250ms. */
    static String text(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        append(text, duration.toDays(), "d");
        append(text, duration.toHoursPart(), "h");
        append(text, duration.toMinutesPart(), "m");
        append(text, duration.toSecondsPart(), "s");
        append(text, duration.toMillisPart(), "ms");
        return text.toString();
    }

    private static void append(StringBuilder text, long amount, String unit) {
        if (amount != 0) {
            text.append(text.isEmpty() ? "" : " ").append(amount).append(unit);
        }
    }

    /** A data size in the largest unit that divides it: 256MB, 8TB, 1500B. */
    static String text(DataSize size) {
        long bytes = size.toBytes();
        String[] units = {"TB", "GB", "MB", "KB"};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << (10 * (units.length - i));
            if (bytes >= unit && bytes % unit == 0) {
                return bytes / unit + units[i];
            }
        }
        return bytes + "B";
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new FeedConfigException(LIMITS + key, "must be positive, not " + value);
        }
    }

    private static void positive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new FeedConfigException(LIMITS + key, "must be positive");
        }
    }

    @FunctionalInterface
    private interface Over {
        void add(String key, Object value, Object limit, String setting);
    }
}
