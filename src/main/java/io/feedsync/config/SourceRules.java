package io.feedsync.config;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import io.feedsync.upstream.ErrorBodies;
import io.feedsync.upstream.FailureClass;
import io.feedsync.upstream.ForEach;
import io.feedsync.upstream.Incremental;
import io.feedsync.upstream.RateLimit;
import io.feedsync.upstream.RetryPolicy;
import io.feedsync.upstream.Source;

import static io.feedsync.config.FeedKeys.blankToNull;

/** {@code source}: where the records come from, how they are paged, retried, paced and told apart from errors. */
final class SourceRules {

    private SourceRules() {
    }

    static Source source(FeedKeys keys, FeedsyncProperties.Source source) {
        if (source == null) {
            throw keys.bad("source.url", "must be set");
        }
        ForEach forEach = ForEachRules.forEach(keys, source.forEach());
        URI url = absoluteUrl(keys, "source.url", ForEachRules.template(keys, source.url(), forEach));
        if (forEach != null && source.incremental() != null && blankToNull(source.incremental().cursor()) != null) {
            throw keys.bad("source.incremental", "a child feed is incremental by its parents"
                    + " (source.for-each.changed-only): one cursor for the children of every parent would skip"
                    + " some parent's changes");
        }
        var auth = AuthRules.authentication(keys);
        var pagination = PaginationRules.pagination(keys);
        String records = source.records() == null ? FeedSchema.defaultOf("source.records")
                : keys.pointer("source.records", source.records());
        return new Source(url, auth, pagination,
                keys.whole("source.pagination.max-pages", keys.paging().maxPages()), records,
                incremental(keys, source.incremental()),
                keys.duration("source.timeout", source.timeout()),
                keys.duration("source.connect-timeout", source.connectTimeout()),
                retry(keys, source.retry()), keys.dataSize("source.max-page-size", source.maxPageSize()),
                rateLimit(keys, source.rateLimit()), errorBodies(keys, source.errorWhen()),
                DeleteMarkerRules.deleteMarkers(keys, source.deleteMarker()),
                Boolean.TRUE.equals(keys.paging().endOnMissingRecords()), forEach);
    }

    /** The {@code type} of the variants object at {@code key}: one of {@code known}, or its default. */
    static String variantType(FeedKeys keys, String key, String written, Set<String> known) {
        String type = keys.text(key + ".type", written);
        if (!known.contains(type)) {
            throw keys.bad(key + ".type", "unknown type '" + type + "' (expected one of "
                    + String.join(", ", known.stream().sorted().toList()) + ")");
        }
        return type;
    }

    static void throwAll(List<FeedConfigException> problems) {
        if (!problems.isEmpty()) {
            throw FeedConfigException.of(problems);
        }
    }

    static URI absoluteUrl(FeedKeys keys, String key, String text) {
        String value = keys.required(key, text);
        try {
            URI url = new URI(value);
            if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
                throw keys.bad(key, "must be an absolute http(s) URL");
            }
            if (url.getUserInfo() != null) {
                throw keys.bad(key, "must not carry credentials; use source.auth");
            }
            return url;
        } catch (URISyntaxException e) {
            throw keys.bad(key, "is not a valid URL");
        }
    }

    /** {@code source.error-when: { pointer: /error, retry: false }}; optional. */
    private static ErrorBodies errorBodies(FeedKeys keys, FeedsyncProperties.ErrorWhen errorWhen) {
        if (errorWhen == null) {
            return null;
        }
        String pointer = keys.pointer("source.error-when.pointer",
                keys.required("source.error-when.pointer", errorWhen.pointer()));
        return new ErrorBodies(pointer, Boolean.TRUE.equals(errorWhen.retry()) ? FailureClass.TRANSIENT
                : FailureClass.PERMANENT);
    }

    /** {@code source.rate-limit: { requests-per-second: 5, prefetch: 1 }}; both optional. */
    private static RateLimit rateLimit(FeedKeys keys, FeedsyncProperties.RateLimit limit) {
        if (limit == null) {
            return new RateLimit(null, keys.whole("source.rate-limit.prefetch", null));
        }
        String key = "source.rate-limit.requests-per-second";
        Double rate = null;
        if (blankToNull(limit.requestsPerSecond()) != null) {
            try {
                rate = Double.parseDouble(limit.requestsPerSecond().trim());
            } catch (NumberFormatException e) {
                throw keys.bad(key, "'" + limit.requestsPerSecond() + "' is not a number");
            }
            if (!(rate > 0) || rate.isInfinite()) {
                throw keys.bad(key, "must be positive");
            }
        }
        return new RateLimit(rate, keys.whole("source.rate-limit.prefetch", limit.prefetch()));
    }

    private static Incremental incremental(FeedKeys keys, FeedsyncProperties.Incremental incremental) {
        if (incremental == null || blankToNull(incremental.cursor()) == null) {
            return null;
        }
        Incremental.CursorType cursorType = Incremental.CursorType.valueOf(
                keys.choice("source.incremental.type", incremental.type(), "type").toUpperCase(java.util.Locale.ROOT));
        String format = keys.text("source.incremental.format", incremental.format());
        if (!Incremental.validFormat(format)) {
            throw keys.bad("source.incremental.format", "'" + format + "' is not as-is, iso-instant, epoch-seconds, "
                    + "epoch-millis or a date-time pattern");
        }
        if (!format.equals("as-is") && cursorType != Incremental.CursorType.TIMESTAMP) {
            throw keys.bad("source.incremental.format", "only timestamp cursors can be reformatted");
        }
        return new Incremental(keys.pointer("source.incremental.cursor", incremental.cursor()),
                blankToNull(incremental.param()), cursorType, format, lookback(keys, cursorType, incremental.lookback()));
    }

    /** {@code source.incremental.lookback}: a duration for timestamp cursors, an amount for number cursors. */
    private static String lookback(FeedKeys keys, Incremental.CursorType type, String lookback) {
        String given = blankToNull(lookback);
        if (given == null) {
            return null;
        }
        String key = "source.incremental.lookback";
        return switch (type) {
            case TIMESTAMP -> keys.duration(key, given).toString();
            case NUMBER -> {
                try {
                    BigDecimal amount = new BigDecimal(given.trim());
                    if (amount.signum() < 0) {
                        throw keys.bad(key, "must not be negative");
                    }
                    yield amount.toPlainString();
                } catch (NumberFormatException e) {
                    throw keys.bad(key, "'" + given + "' is not a number (the cursor is a number)");
                }
            }
            case TEXT -> throw keys.bad(key, "text cursors cannot look back (there is no distance between texts)");
        };
    }

    private static RetryPolicy retry(FeedKeys keys, FeedsyncProperties.Retry retry) {
        FeedsyncProperties.Retry given = retry == null ? new FeedsyncProperties.Retry(null, null, null) : retry;
        Duration initial = keys.duration("source.retry.initial-backoff", given.initialBackoff());
        Duration max = keys.duration("source.retry.max-backoff", given.maxBackoff());
        if (max.compareTo(initial) < 0) {
            throw keys.bad("source.retry.max-backoff", "must not be shorter than initial-backoff");
        }
        return new RetryPolicy(keys.whole("source.retry.max-attempts", given.maxAttempts()), initial, max);
    }
}
