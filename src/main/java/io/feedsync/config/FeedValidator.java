package io.feedsync.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.quartz.CronExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.PropertyResolver;

import io.feedsync.upstream.Source;

/**
 * Turns one feed as written — under {@code feedsync.feeds.<name>} in the configuration, or as the
 * JSON body of {@code PUT /api/feeds/{feed}} — into a {@link FeedDefinition}, or refuses it naming
 * the full key of every problem found. Both ways in go through the same binding and the same
 * checks, so the configuration and the API can never disagree about what a feed may be. Each auth
 * and pagination type is one of a closed set, looked up by its configuration name; an unknown key
 * is an error naming the key meant, where one is close.
 */
public final class FeedValidator {

    private static final Logger log = LoggerFactory.getLogger(FeedValidator.class);

    private static final String FEEDS = "feedsync.feeds.";

    /** Whether a feed's key ({@code source.auth.token}, in any spelling) holds a secret. */
    public static boolean isSecretKey(String key) {
        return ApiDefinitionRules.isSecretKey(key);
    }

    /** Whether {@code key} ({@code target.key}, {@code notify.changes[0]}) is a key feeds have. */
    public static boolean isKnownKey(String key) {
        try {
            KnownKeys.check(FEEDS + "x", key);
            return true;
        } catch (FeedConfigException unknown) {
            return false;
        }
    }

    private FeedValidator() {
    }

    /**
     * A feed sent over the API: a JSON object with exactly the keys of {@code feedsync.feeds.<name>},
     * bound and checked as the configuration is, and held to what an API feed may contain
     * ({@link ApiDefinitionRules}, as this node's {@code feedsync.security.*} sets them). Secrets must be
     * {@code ${NAME}} placeholders, resolved here from this node's environment, so that no secret is
     * ever stored or answered; notify endpoints keep theirs as written. Throws a
     * {@link FeedConfigException} listing every problem found.
     */
    public static FeedDefinition define(String name, JsonNode definition, PropertyResolver environment) {
        return define(name, definition, environment, FeedLimits.DEFAULTS);
    }

    /** As {@link #define(String, JsonNode, PropertyResolver)}, held to this node's limits. */
    public static FeedDefinition define(String name, JsonNode definition, PropertyResolver environment,
                                        FeedLimits limits) {
        String prefix = FEEDS + name;
        WrittenFeeds.checkName(name);
        if (definition == null || !definition.isObject()) {
            throw new FeedConfigException(prefix, "a feed's definition is a JSON object with the keys of feedsync.feeds.<name>");
        }
        Map<String, String> written = WrittenFeeds.flatten(prefix, definition);
        List<FeedConfigException> problems = new ArrayList<>();
        ApiDefinitionRules rules = ApiDefinitionRules.of(environment);
        Map<String, String> resolved = new LinkedHashMap<>();
        written.forEach((property, value) -> {
            // a refused secret stays bound as written, so that it is not also reported as missing
            resolved.put(property, value);
            try {
                WrittenFeeds.checkWrittenName(property);
                resolved.put(property, rules.written(prefix, property, value));
            } catch (FeedConfigException e) {
                problems.addAll(e.problems());
            }
        });
        FeedsyncProperties.Feed feed = WrittenFeeds.bind(name, resolved, problems);
        problems.addAll(rules.bound(prefix, feed));
        if (problems.isEmpty() || feed != null) {
            try {
                FeedDefinition defined = define(name, feed, limits, true);
                if (problems.isEmpty()) {
                    return defined;
                }
            } catch (FeedConfigException e) {
                problems.addAll(e.problems());
            }
        }
        throw FeedConfigException.of(problems);
    }

    /**
     * One feed as bound from {@code feedsync.feeds.<name>}: its definition, or a
     * {@link FeedConfigException} listing every part of it that is wrong.
     */
    static FeedDefinition define(String name, FeedsyncProperties.Feed feed) {
        return define(name, feed, FeedLimits.DEFAULTS, false);
    }

    /**
     * As {@link #define(String, FeedsyncProperties.Feed)}, held to the node's limits: those of a feed
     * defined over the API ({@code api}) too, or those of a configured one.
     */
    static FeedDefinition define(String name, FeedsyncProperties.Feed feed, FeedLimits limits, boolean api) {
        String prefix = "feedsync.feeds." + name;
        WrittenFeeds.checkName(name);
        if (feed == null) {
            throw new FeedConfigException(prefix + ".source.url", "must be set");
        }
        FeedKeys keys = new FeedKeys(prefix, feed);
        List<FeedConfigException> problems = new ArrayList<>();
        String schedule = checked(problems, () -> schedule(keys, feed.schedule()));
        RunMode mode = checked(problems, () -> mode(keys, feed.mode()));
        Source source = checked(problems, () -> SourceRules.source(keys, feed.source()));
        FeedDefinition.Transform transform = checked(problems, () -> TableRules.transform(keys, feed.transform()));
        FeedDefinition.Target target = checked(problems, () -> TableRules.target(keys, feed.target()));
        Integer chunkSize = checked(problems, () -> chunkSize(keys, feed));
        FeedDefinition.OnRecordFailure onRecordFailure = checked(problems, () -> onRecordFailure(keys, feed.onRecordFailure()));
        Double deletionGuard = checked(problems, () -> deletionGuard(keys, feed.deletionGuard()));
        Duration statementTimeout = checked(problems,
                () -> keys.duration("statement-timeout", feed.statementTimeout()));
        Duration resumeWithin = checked(problems, () -> resumeWithin(keys, feed.resumeWithin()));
        FeedDefinition.Notify notify = checked(problems, () -> NotifyRules.notify(keys, feed.notifications()));
        List<String> tags = checked(problems, () -> NotifyRules.tags(keys, feed.tags()));
        if (source != null && target != null && source.deleteMarkers() != null && target.softDeleteColumn() == null) {
            problems.add(keys.bad("source.delete-marker", "needs target.soft-delete: a marked record's row gets its"
                    + " deletion time in that column (nothing is ever hard-deleted)"));
        }
        if (transform != null && target != null) {
            TableRules.creatable(keys, transform, target, problems);
            if (source != null) {
                ForEachRules.mapping(keys, source.forEach(), transform, target, problems);
            }
        }
        if (source != null && source.forEach() != null && source.forEach().feed().equals(name)) {
            problems.add(keys.bad("source.for-each.feed", "a feed cannot be its own parent"));
        }
        if (problems.isEmpty()) {
            FeedDefinition defined = new FeedDefinition(name, schedule, mode, Boolean.TRUE.equals(feed.runOnStartup()),
                    source, transform, target, chunkSize, onRecordFailure, deletionGuard, statementTimeout, resumeWithin,
                    notify, tags);
            problems.addAll(limits.problems(prefix, defined, api));
            if (problems.isEmpty()) {
                return defined;
            }
        }
        throw FeedConfigException.of(problems);
    }


    /**
     * {@code resume-within: 24h}: how old an unfinished run's checkpoint may be for the next run to
     * resume from it; {@code 0} or {@code off}: never resume.
     */
    private static Duration resumeWithin(FeedKeys keys, String text) {
        String value = blankToNull(text);
        if (value != null && (value.trim().equals("0") || value.trim().equalsIgnoreCase("off"))) {
            return Duration.ZERO;
        }
        return keys.duration("resume-within", value);
    }

    /** One part of a feed, or null with its problem noted, so that every wrong part is named at once. */
    private static <T> T checked(List<FeedConfigException> problems, java.util.function.Supplier<T> part) {
        try {
            return part.get();
        } catch (FeedConfigException e) {
            problems.addAll(e.problems());
            return null;
        }
    }

    /**
     * {@code chunk-size}, or the name it took over from, {@code batch-size}, which still works
     * with a warning (logged once, when the feed is defined at startup).
     */
    private static int chunkSize(FeedKeys keys, FeedsyncProperties.Feed feed) {
        if (feed.batchSize() == null) {
            return keys.whole("chunk-size", feed.chunkSize());
        }
        if (feed.chunkSize() != null) {
            throw keys.bad("batch-size", "is the old name of chunk-size; set only chunk-size");
        }
        log.warn("{}.batch-size is deprecated: it is now called chunk-size (records per exchange and per write"
                + " transaction); batch-size {} is used as chunk-size", keys.prefix(), feed.batchSize());
        return keys.whole("batch-size", feed.batchSize());
    }

    /** {@code deletion-guard: 20%} (or 0.2): the largest share of rows one full run may soft-delete unconfirmed. */
    private static double deletionGuard(FeedKeys keys, String value) {
        String text = keys.text("deletion-guard", value);
        try {
            double share = text.endsWith("%") ? Double.parseDouble(text.substring(0, text.length() - 1)) / 100
                    : Double.parseDouble(text);
            if (share < 0 || share > 1) {
                throw new NumberFormatException();
            }
            return share;
        } catch (NumberFormatException e) {
            throw keys.bad("deletion-guard", "'" + text + "' is not a share between 0% and 100%");
        }
    }

    private static FeedDefinition.OnRecordFailure onRecordFailure(FeedKeys keys, String value) {
        return FeedDefinition.OnRecordFailure.valueOf(keys.choice("on-record-failure", value, "policy")
                .toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    private static String schedule(FeedKeys keys, String schedule) {
        String cron = blankToNull(schedule);
        if (cron != null && !CronExpression.isValidExpression(cron)) {
            throw keys.bad("schedule", "'" + cron + "' is not a Quartz cron expression (e.g. \"0 0 1 * * ?\")");
        }
        if (cron != null && cron.length() > FeedSchema.MAX_SCHEDULE_LENGTH) {
            throw keys.bad("schedule", "is " + cron.length() + " characters long; Quartz keeps at most "
                    + FeedSchema.MAX_SCHEDULE_LENGTH);
        }
        return cron;
    }

    private static RunMode mode(FeedKeys keys, String mode) {
        return RunMode.parse(keys.choice("mode", mode, "mode"));
    }

    static String blankToNull(String text) {
        return FeedKeys.blankToNull(text);
    }
}
