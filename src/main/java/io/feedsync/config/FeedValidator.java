package io.feedsync.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.quartz.CronExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertyResolver;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.util.unit.DataSize;

import io.feedsync.transform.DeleteMarkers;
import io.feedsync.upstream.ApiKeyAuthentication;
import io.feedsync.upstream.Authentication;
import io.feedsync.upstream.BasicAuthentication;
import io.feedsync.upstream.BearerAuthentication;
import io.feedsync.upstream.CursorPagination;
import io.feedsync.upstream.ErrorBodies;
import io.feedsync.upstream.FailureClass;
import io.feedsync.upstream.HasMorePagination;
import io.feedsync.upstream.LinkHeaderPagination;
import io.feedsync.upstream.NextUrlPagination;
import io.feedsync.upstream.Incremental;
import io.feedsync.upstream.NoAuthentication;
import io.feedsync.upstream.OAuth2ClientCredentials;
import io.feedsync.upstream.NoPagination;
import io.feedsync.upstream.OffsetPagination;
import io.feedsync.upstream.PageNumberPagination;
import io.feedsync.upstream.Pagination;

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
    /** A feed's name: it names its routes, its Quartz trigger and its rows in feedsync's tables. */
    private static final Pattern FEED_NAME = Pattern.compile("(?=.{1,100}$)[a-z0-9]+(-[a-z0-9]+)*");
    private static final String FEED_NAMES = "feed names are lower-case letters, digits and '-', at most 100 characters";
    /** The longest schedule Quartz's job store keeps ({@code qrtz_cron_triggers.cron_expression}). */
    private static final int MAX_SCHEDULE_LENGTH = 120;
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    /** Records per exchange and per write transaction; see chunkSize. */
    private static final int DEFAULT_CHUNK_SIZE = 500;
    private static final int DEFAULT_MAX_PAGES = 100_000;
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final DataSize DEFAULT_MAX_PAGE_SIZE = DataSize.ofMegabytes(256);
    /** Generous for a chunk or a full run's soft-delete; a write stuck behind a lock for this long fails the run. */
    private static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration DEFAULT_RESUME_WITHIN = Duration.ofHours(24);
    /** How long delivered change events are kept. */
    private static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    private static final Pattern ENDPOINT_URI = Pattern.compile("[a-z][a-z0-9+.-]*:\\S+");

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

    private static final Map<String, Function<Keys, Authentication>> AUTH_TYPES = Map.of(
            "none", k -> new NoAuthentication(),
            "basic", k -> new BasicAuthentication(k.required("source.auth.username", k.auth().username()),
                    k.required("source.auth.password", k.auth().password())),
            "bearer", k -> new BearerAuthentication(k.required("source.auth.token", k.auth().token())),
            "api-key", k -> new ApiKeyAuthentication(k.required("source.auth.key", k.auth().key()),
                    blankToNull(k.auth().header()), blankToNull(k.auth().queryParam())),
            "oauth2-client-credentials", k -> new OAuth2ClientCredentials(
                    absoluteUrl(k, "source.auth.token-url", k.auth().tokenUrl()),
                    k.required("source.auth.client-id", k.auth().clientId()),
                    k.required("source.auth.client-secret", k.auth().clientSecret()),
                    blankToNull(k.auth().scope()),
                    clientAuthentication(k),
                    duration(k, "source.timeout", k.feed().source().timeout(), DEFAULT_TIMEOUT), Clock.systemUTC()));

    private static final Map<String, Function<Keys, Pagination>> PAGINATION_TYPES = Map.of(
            "none", k -> new NoPagination(),
            "page", k -> new PageNumberPagination(k.or(k.paging().pageParam(), "page"),
                    k.or(k.paging().sizeParam(), "size"), k.positive("source.pagination.size", k.paging().size(), 100),
                    k.paging().firstPage() == null ? 1 : k.paging().firstPage()),
            "offset", k -> new OffsetPagination(k.or(k.paging().offsetParam(), "offset"),
                    k.or(k.paging().limitParam(), "limit"), k.positive("source.pagination.size", k.paging().size(), 100)),
            "cursor", k -> new CursorPagination(k.or(k.paging().cursorParam(), "cursor"),
                    k.pointer("source.pagination.cursor-pointer", k.required("source.pagination.cursor-pointer", k.paging().cursorPointer()))),
            "next-url", k -> new NextUrlPagination(
                    k.pointer("source.pagination.next-pointer", k.or(k.paging().nextPointer(), "/next"))),
            "link-header", k -> new LinkHeaderPagination());

    /**
     * Spring drops every character but letters, digits, '-' and '_' from a map key written without
     * brackets: {@code feedsync.feeds.x; drop table sync_run.source.url} would quietly configure a
     * feed "xdroptablesync_run". So feed names and mapped columns are checked as they were written
     * (environment variables excepted: they cannot hold such characters), and the error names them so.
     */
    static void checkWrittenNames(Environment environment) {
        if (!(environment instanceof ConfigurableEnvironment configurable)) {
            return;
        }
        for (PropertySource<?> source : configurable.getPropertySources()) {
            if (source instanceof EnumerablePropertySource<?> enumerable
                    && !(source instanceof SystemEnvironmentPropertySource)) {
                for (String property : enumerable.getPropertyNames()) {
                    checkWrittenName(property);
                }
            }
        }
    }

    static void checkWrittenName(String property) {
        if (!property.startsWith(FEEDS)) {
            return;
        }
        String feed = segment(property.substring(FEEDS.length()));
        if (!FEED_NAME.matcher(feed).matches()) {
            throw badName(feed);
        }
        String rest = property.substring(FEEDS.length() + feed.length());
        if (rest.startsWith(".")) {
            KnownKeys.check(FEEDS + feed, rest.substring(1));
        }
        String mapping = FEEDS + feed + ".transform.mapping.";
        if (property.startsWith(mapping)) {
            String column = segment(property.substring(mapping.length()));
            new Keys(FEEDS + feed, null).identifier("transform.mapping." + column, column);
        }
    }

    /** The map key a property name starts with: up to the next '.' or '['. */
    private static String segment(String rest) {
        int end = 0;
        while (end < rest.length() && rest.charAt(end) != '.' && rest.charAt(end) != '[') {
            end++;
        }
        return rest.substring(0, end);
    }

    private FeedValidator() {
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
        if (!FEED_NAME.matcher(name).matches()) {
            throw badName(name);
        }
        if (feed == null) {
            throw new FeedConfigException(prefix + ".source.url", "must be set");
        }
        Keys keys = new Keys(prefix, feed);
        List<FeedConfigException> problems = new ArrayList<>();
        String schedule = checked(problems, () -> schedule(keys, feed.schedule()));
        RunMode mode = checked(problems, () -> mode(keys, feed.mode()));
        FeedDefinition.Source source = checked(problems, () -> source(keys, feed.source()));
        FeedDefinition.Transform transform = checked(problems, () -> transform(keys, feed.transform()));
        FeedDefinition.Target target = checked(problems, () -> target(keys, feed.target()));
        Integer chunkSize = checked(problems, () -> chunkSize(keys, feed));
        FeedDefinition.OnRecordFailure onRecordFailure = checked(problems, () -> onRecordFailure(keys, feed.onRecordFailure()));
        Double deletionGuard = checked(problems, () -> deletionGuard(keys, feed.deletionGuard()));
        Duration statementTimeout = checked(problems,
                () -> duration(keys, "statement-timeout", feed.statementTimeout(), DEFAULT_STATEMENT_TIMEOUT));
        Duration resumeWithin = checked(problems, () -> resumeWithin(keys, feed.resumeWithin()));
        FeedDefinition.Notify notify = checked(problems, () -> notify(keys, feed.notifications()));
        List<String> tags = checked(problems, () -> tags(keys, feed.tags()));
        if (source != null && target != null && source.deleteMarkers() != null && target.softDeleteColumn() == null) {
            problems.add(keys.bad("source.delete-marker", "needs target.soft-delete: a marked record's row gets its"
                    + " deletion time in that column (nothing is ever hard-deleted)"));
        }
        if (transform != null && target != null) {
            creatable(keys, transform, target, problems);
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

    /** The name as the key of the error; a long one cut short, so that the answer does not repeat it whole. */
    private static FeedConfigException badName(String name) {
        String shown = name.length() > 100 ? name.substring(0, 40) + "… (" + name.length() + " characters)" : name;
        return new FeedConfigException(FEEDS + shown, FEED_NAMES);
    }

    /**
     * {@code tags: [partners, nightly]}: optional; each a name like a feed's (lower-case letters, digits
     * and '-', at most 40 characters), none twice.
     */
    private static List<String> tags(Keys keys, List<String> tags) {
        if (tags == null) {
            return List.of();
        }
        for (int i = 0; i < tags.size(); i++) {
            String tag = tags.get(i);
            if (!Tags.isTag(tag)) {
                throw keys.bad("tags[" + i + "]", "'" + tag + "' is not a tag: lower-case letters, digits and '-',"
                        + " starting with a letter or digit, at most 40 characters");
            }
        }
        if (Set.copyOf(tags).size() != tags.size()) {
            throw keys.bad("tags", "lists a tag twice");
        }
        return List.copyOf(tags);
    }

    /**
     * {@code notify: { changes: [uri…], runs: [uri…], runs-on: all|failure, secret: …, retention: 7d }};
     * optional. Each URI is a Camel endpoint URI ({@code https://…}, {@code direct:…}).
     */
    private static FeedDefinition.Notify notify(Keys keys, FeedsyncProperties.Notify notify) {
        if (notify == null) {
            return null;
        }
        boolean failureOnly = switch (keys.or(notify.runsOn(), "all")) {
            case "all" -> false;
            case "failure" -> true;
            default -> throw keys.bad("notify.runs-on", "unknown value '" + notify.runsOn()
                    + "' (expected all or failure)");
        };
        return new FeedDefinition.Notify(endpoints(keys, "notify.changes", notify.changes()),
                endpoints(keys, "notify.runs", notify.runs()), failureOnly, blankToNull(notify.secret()),
                duration(keys, "notify.retention", notify.retention(), DEFAULT_RETENTION));
    }

    private static List<String> endpoints(Keys keys, String key, List<String> uris) {
        if (uris == null) {
            return List.of();
        }
        for (int i = 0; i < uris.size(); i++) {
            if (uris.get(i) == null || !ENDPOINT_URI.matcher(uris.get(i).trim()).matches()) {
                throw keys.bad(key + "[" + i + "]", "'" + uris.get(i)
                        + "' is not a Camel endpoint URI (e.g. https://example.com/hook or direct:changes)");
            }
        }
        if (Set.copyOf(uris).size() != uris.size()) {
            throw keys.bad(key, "lists an endpoint twice");
        }
        return uris.stream().map(String::trim).toList();
    }

    /**
     * {@code resume-within: 24h}: how old an unfinished run's checkpoint may be for the next run to
     * resume from it; {@code 0} or {@code off}: never resume.
     */
    private static Duration resumeWithin(Keys keys, String text) {
        String value = blankToNull(text);
        if (value != null && (value.trim().equals("0") || value.trim().equalsIgnoreCase("off"))) {
            return Duration.ZERO;
        }
        return duration(keys, "resume-within", value, DEFAULT_RESUME_WITHIN);
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
        if (!FEED_NAME.matcher(name).matches()) {
            throw badName(name);
        }
        if (definition == null || !definition.isObject()) {
            throw new FeedConfigException(prefix, "a feed's definition is a JSON object with the keys of feedsync.feeds.<name>");
        }
        Map<String, String> written = new LinkedHashMap<>();
        flatten(prefix, definition, written);
        List<FeedConfigException> problems = new ArrayList<>();
        ApiDefinitionRules rules = ApiDefinitionRules.of(environment);
        Map<String, String> resolved = new LinkedHashMap<>();
        written.forEach((property, value) -> {
            // a refused secret stays bound as written, so that it is not also reported as missing
            resolved.put(property, value);
            try {
                checkWrittenName(property);
                resolved.put(property, rules.written(prefix, property, value));
            } catch (FeedConfigException e) {
                problems.addAll(e.problems());
            }
        });
        FeedsyncProperties.Feed feed = null;
        try {
            feed = new Binder(new MapConfigurationPropertySource(resolved)).bind("feedsync", FeedsyncProperties.class)
                    .map(properties -> properties.feeds().get(name)).orElse(null);
        } catch (BindException e) {
            problems.add(notBound(prefix, e));
        }
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

    /** {@code {"source": {"url": "…"}, "target": {"key": ["id"]}}} as {@code <prefix>.source.url}, {@code <prefix>.target.key[0]}. */
    private static void flatten(String path, JsonNode node, Map<String, String> into) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> flatten(path + "." + field.getKey(), field.getValue(), into));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(path + "[" + i + "]", node.get(i), into);
            }
        } else if (!node.isNull()) {
            into.put(path, node.asText());
        }
    }

    private static FeedConfigException notBound(String prefix, BindException e) {
        if (e.getProperty() == null) {
            return new FeedConfigException(prefix, "cannot be read: " + e.getMessage());
        }
        String type = e.getTarget().getType().resolve(Object.class).getSimpleName();
        String expected = switch (type) {
            case "Integer" -> "a whole number";
            case "Boolean" -> "true or false";
            default -> "a " + type.toLowerCase(Locale.ROOT);
        };
        return new FeedConfigException(e.getProperty().getName().toString(),
                "'" + e.getProperty().getValue() + "' is not " + expected);
    }

    /**
     * {@code chunk-size}, or the name it took over from, {@code batch-size}, which still works
     * with a warning (logged once, when the feed is defined at startup).
     */
    private static int chunkSize(Keys keys, FeedsyncProperties.Feed feed) {
        if (feed.batchSize() == null) {
            return keys.positive("chunk-size", feed.chunkSize(), DEFAULT_CHUNK_SIZE);
        }
        if (feed.chunkSize() != null) {
            throw keys.bad("batch-size", "is the old name of chunk-size; set only chunk-size");
        }
        log.warn("{}.batch-size is deprecated: it is now called chunk-size (records per exchange and per write"
                + " transaction); batch-size {} is used as chunk-size", keys.prefix(), feed.batchSize());
        return keys.positive("batch-size", feed.batchSize(), DEFAULT_CHUNK_SIZE);
    }

    /** {@code deletion-guard: 20%} (or 0.2): the largest share of rows one full run may soft-delete unconfirmed. */
    private static double deletionGuard(Keys keys, String value) {
        String text = keys.or(value, "20%");
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

    private static FeedDefinition.OnRecordFailure onRecordFailure(Keys keys, String value) {
        return switch (keys.or(value, "pin-watermark")) {
            case "pin-watermark" -> FeedDefinition.OnRecordFailure.PIN_WATERMARK;
            case "advance-watermark" -> FeedDefinition.OnRecordFailure.ADVANCE_WATERMARK;
            default -> throw keys.bad("on-record-failure", "unknown policy '" + value
                    + "' (expected pin-watermark or advance-watermark)");
        };
    }

    private static boolean clientAuthentication(Keys keys) {
        return switch (keys.or(keys.auth().clientAuthentication(), "basic")) {
            case "basic" -> true;
            case "form" -> false;
            default -> throw keys.bad("source.auth.client-authentication", "unknown value '"
                    + keys.auth().clientAuthentication() + "' (expected basic or form)");
        };
    }

    private static String schedule(Keys keys, String schedule) {
        String cron = blankToNull(schedule);
        if (cron != null && !CronExpression.isValidExpression(cron)) {
            throw keys.bad("schedule", "'" + cron + "' is not a Quartz cron expression (e.g. \"0 0 1 * * ?\")");
        }
        if (cron != null && cron.length() > MAX_SCHEDULE_LENGTH) {
            throw keys.bad("schedule", "is " + cron.length() + " characters long; Quartz keeps at most "
                    + MAX_SCHEDULE_LENGTH);
        }
        return cron;
    }

    private static RunMode mode(Keys keys, String mode) {
        if (blankToNull(mode) == null) {
            return RunMode.INCREMENTAL;
        }
        try {
            return RunMode.parse(mode.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw keys.bad("mode", e.getMessage());
        }
    }

    private static FeedDefinition.Source source(Keys keys, FeedsyncProperties.Source source) {
        if (source == null) {
            throw keys.bad("source.url", "must be set");
        }
        URI url = absoluteUrl(keys, "source.url", source.url());
        String authType = keys.or(source.auth() == null ? null : source.auth().type(), "none");
        String pagingType = keys.or(source.pagination() == null ? null : source.pagination().type(), "none");
        Authentication auth = closedSet(keys, "source.auth.type", authType, AUTH_TYPES).apply(keys);
        Pagination pagination = closedSet(keys, "source.pagination.type", pagingType, PAGINATION_TYPES).apply(keys);
        String hasMore = source.pagination() == null ? null : blankToNull(source.pagination().hasMore());
        if (hasMore != null) {
            pagination = new HasMorePagination(pagination, keys.pointer("source.pagination.has-more", hasMore));
        }
        int maxPages = keys.positive("source.pagination.max-pages",
                source.pagination() == null ? null : source.pagination().maxPages(), DEFAULT_MAX_PAGES);
        String records = source.records() == null ? "" : keys.pointer("source.records", source.records());
        return new FeedDefinition.Source(url, auth, pagination, maxPages, records,
                incremental(keys, source.incremental()),
                duration(keys, "source.timeout", source.timeout(), DEFAULT_TIMEOUT),
                duration(keys, "source.connect-timeout", source.connectTimeout(), Duration.ofSeconds(10)),
                retry(keys, source.retry()), maxPageSize(keys, source.maxPageSize()),
                rateLimit(keys, source.rateLimit()), errorBodies(keys, source.errorWhen()),
                deleteMarkers(keys, source.deleteMarker()),
                source.pagination() != null && Boolean.TRUE.equals(source.pagination().endOnMissingRecords()));
    }

    /**
     * {@code source.delete-marker: { pointer: /is_deleted, value: true }}, or a list of such; optional.
     * Bound as written (a list arrives keyed by its indexes), so that the value keeps its YAML type:
     * {@code true} and {@code "true"} are different markers. YAML's {@code null} (or an empty value)
     * is JSON null.
     */
    private static DeleteMarkers deleteMarkers(Keys keys, Map<String, Object> written) {
        String key = "source.delete-marker";
        if (written == null || written.isEmpty()) {
            return null;
        }
        if (!written.keySet().stream().allMatch(index -> index.matches("\\d+"))) {
            return new DeleteMarkers(List.of(marker(keys, key, written)));
        }
        List<DeleteMarkers.Marker> markers = new ArrayList<>();
        written.entrySet().stream().sorted(Comparator.comparingInt(item -> Integer.parseInt(item.getKey())))
                .forEach(item -> markers.add(marker(keys, key + "[" + item.getKey() + "]", item.getValue())));
        return new DeleteMarkers(markers);
    }

    private static DeleteMarkers.Marker marker(Keys keys, String key, Object written) {
        if (!(written instanceof Map<?, ?> fields)) {
            throw keys.bad(key, "must be { pointer: /is_deleted, value: true } (a JSON pointer and the value there"
                    + " that marks a record deleted)");
        }
        for (Object field : fields.keySet()) {
            if (!"pointer".equals(field) && !"value".equals(field)) {
                throw keys.bad(key + "." + field, "unknown key (a delete marker has a pointer and a value)");
            }
        }
        Object pointer = fields.get("pointer");
        String checked = keys.pointer(key + ".pointer",
                keys.required(key + ".pointer", pointer == null ? null : pointer.toString()));
        return new DeleteMarkers.Marker(JsonPointer.compile(checked), markerValue(keys, key + ".value",
                fields.get("value")));
    }

    /** The marker's value as JSON: what YAML made of it (text from an environment variable stays text). */
    private static JsonNode markerValue(Keys keys, String key, Object value) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        if (value == null) {
            throw keys.bad(key, "must be set (the JSON value that marks a record deleted: true, 1, \"removed\" or null)");
        }
        if (value instanceof String text) {
            // Spring reads YAML's null, ~ and an empty value alike, as ""
            return text.isEmpty() ? json.nullNode() : json.textNode(text);
        }
        if (value instanceof Boolean flag) {
            return json.booleanNode(flag);
        }
        if (value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger) {
            return json.numberNode(new java.math.BigInteger(value.toString()));
        }
        if (value instanceof Number number) {
            try {
                return json.numberNode(new java.math.BigDecimal(number.toString()));
            } catch (NumberFormatException notFinite) {
                throw keys.bad(key, "'" + number + "' is not a JSON number");
            }
        }
        throw keys.bad(key, "must be one JSON value (true, 1, \"removed\" or null), not an object or a list");
    }

    /** {@code source.error-when: { pointer: /error, retry: false }}; optional. */
    private static ErrorBodies errorBodies(Keys keys, FeedsyncProperties.ErrorWhen errorWhen) {
        if (errorWhen == null) {
            return null;
        }
        String pointer = keys.pointer("source.error-when.pointer",
                keys.required("source.error-when.pointer", errorWhen.pointer()));
        return new ErrorBodies(pointer, Boolean.TRUE.equals(errorWhen.retry()) ? FailureClass.TRANSIENT
                : FailureClass.PERMANENT);
    }

    /** {@code source.rate-limit: { requests-per-second: 5, prefetch: 1 }}; both optional. */
    private static RateLimit rateLimit(Keys keys, FeedsyncProperties.RateLimit limit) {
        if (limit == null) {
            return RateLimit.NONE;
        }
        Double rate = null;
        if (blankToNull(limit.requestsPerSecond()) != null) {
            try {
                rate = Double.parseDouble(limit.requestsPerSecond().trim());
            } catch (NumberFormatException e) {
                throw keys.bad("source.rate-limit.requests-per-second", "'" + limit.requestsPerSecond()
                        + "' is not a number");
            }
            if (!(rate > 0) || rate.isInfinite()) {
                throw keys.bad("source.rate-limit.requests-per-second", "must be positive");
            }
        }
        Integer prefetch = limit.prefetch();
        if (prefetch != null && prefetch < 0) {
            throw keys.bad("source.rate-limit.prefetch", "must be 0 or more");
        }
        return new RateLimit(rate, prefetch == null ? RateLimit.DEFAULT_PREFETCH : prefetch);
    }

    /** {@code source.max-page-size: 64MB}: how large one page's body may be. */
    private static DataSize maxPageSize(Keys keys, String text) {
        if (blankToNull(text) == null) {
            return DEFAULT_MAX_PAGE_SIZE;
        }
        DataSize size;
        try {
            size = DataSize.parse(text.trim());
        } catch (IllegalArgumentException e) {
            throw keys.bad("source.max-page-size", "'" + text + "' is not a data size (e.g. 64MB, 512KB)");
        }
        if (size.toBytes() <= 0) {
            throw keys.bad("source.max-page-size", "must be positive");
        }
        return size;
    }

    private static Incremental incremental(Keys keys, FeedsyncProperties.Incremental incremental) {
        if (incremental == null || blankToNull(incremental.cursor()) == null) {
            return null;
        }
        String type = keys.or(incremental.type(), "timestamp");
        Incremental.CursorType cursorType = switch (type) {
            case "timestamp" -> Incremental.CursorType.TIMESTAMP;
            case "number" -> Incremental.CursorType.NUMBER;
            case "text" -> Incremental.CursorType.TEXT;
            default -> throw keys.bad("source.incremental.type", "unknown type '" + type
                    + "' (expected timestamp, number or text)");
        };
        String format = keys.or(incremental.format(), "as-is");
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
    private static String lookback(Keys keys, Incremental.CursorType type, String lookback) {
        String given = blankToNull(lookback);
        if (given == null) {
            return null;
        }
        String key = "source.incremental.lookback";
        return switch (type) {
            case TIMESTAMP -> {
                Duration duration = duration(keys, key, given, null);
                if (duration.isNegative()) {
                    throw keys.bad(key, "must not be negative");
                }
                yield duration.toString();
            }
            case NUMBER -> {
                try {
                    java.math.BigDecimal amount = new java.math.BigDecimal(given.trim());
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

    private static RetryPolicy retry(Keys keys, FeedsyncProperties.Retry retry) {
        FeedsyncProperties.Retry given = retry == null ? new FeedsyncProperties.Retry(null, null, null) : retry;
        Duration initial = duration(keys, "source.retry.initial-backoff", given.initialBackoff(), Duration.ofSeconds(1));
        Duration max = duration(keys, "source.retry.max-backoff", given.maxBackoff(), Duration.ofSeconds(60));
        if (max.compareTo(initial) < 0) {
            throw keys.bad("source.retry.max-backoff", "must not be shorter than initial-backoff");
        }
        return new RetryPolicy(keys.positive("source.retry.max-attempts", given.maxAttempts(), 5), initial, max);
    }

    private static URI absoluteUrl(Keys keys, String key, String text) {
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

    private static Duration duration(Keys keys, String key, String text, Duration fallback) {
        if (blankToNull(text) == null) {
            return fallback;
        }
        try {
            Duration duration = DurationStyle.detectAndParse(text.trim());
            if (duration.isNegative() || duration.isZero()) {
                throw keys.bad(key, "must be positive");
            }
            return duration;
        } catch (IllegalArgumentException e) {
            throw keys.bad(key, "'" + text + "' is not a duration (e.g. 30s, 2m)");
        }
    }

    private static FeedDefinition.Transform transform(Keys keys, FeedsyncProperties.Transform transform) {
        String bean = transform == null ? null : blankToNull(transform.bean());
        Map<String, FeedsyncProperties.MappedColumn> mapping = transform == null || transform.mapping() == null
                ? Map.of() : transform.mapping();
        if (bean == null && mapping.isEmpty()) {
            throw keys.bad("transform", "set transform.bean or transform.mapping");
        }
        if (bean != null && !mapping.isEmpty()) {
            throw keys.bad("transform", "set transform.bean or transform.mapping, not both");
        }
        List<FeedConfigException> problems = new ArrayList<>();
        Map<String, String> columns = new LinkedHashMap<>();
        Map<String, ColumnType> types = new LinkedHashMap<>();
        mapping.forEach((column, mapped) -> {
            String key = "transform.mapping." + column;
            try {
                keys.identifier(key, column);
                if (mapped == null || mapped.type() == null) {
                    columns.put(column, keys.pointer(key, mapped == null ? null : mapped.pointer()));
                } else {
                    columns.put(column, keys.pointer(key + ".pointer", keys.required(key + ".pointer", mapped.pointer())));
                    types.put(column, columnType(keys, key + ".type", mapped.type()));
                }
            } catch (FeedConfigException e) {
                problems.addAll(e.problems());
            }
        });
        if (!problems.isEmpty()) {
            throw FeedConfigException.of(problems);
        }
        return new FeedDefinition.Transform(bean, columns, types);
    }

    private static ColumnType columnType(Keys keys, String key, String written) {
        String name = keys.required(key, written);
        return ColumnType.of(name).orElseThrow(() -> keys.bad(key, "unknown type '" + name + "' (expected one of "
                + ColumnType.names() + ")"));
    }

    /**
     * {@code target.create: true} makes the table from the mapping: only a mapping says which columns
     * and types a feed writes (a transform bean's rows are known only as they come), and the key
     * must be among them.
     */
    private static void creatable(Keys keys, FeedDefinition.Transform transform, FeedDefinition.Target target,
                                  List<FeedConfigException> problems) {
        if (!target.create()) {
            return;
        }
        if (transform.bean() != null) {
            problems.add(keys.bad("target.create", "needs transform.mapping, not transform.bean: the table is made"
                    + " from the mapped columns and their types"));
            return;
        }
        for (String column : target.key()) {
            if (!transform.mapping().containsKey(column)) {
                problems.add(keys.bad("target.key", "key column '" + column + "' is not mapped; target.create makes"
                        + " the table from transform.mapping"));
            }
        }
    }

    private static FeedDefinition.Target target(Keys keys, FeedsyncProperties.Target target) {
        if (target == null) {
            throw keys.bad("target.table", "must be set");
        }
        String table = keys.required("target.table", target.table());
        for (String part : table.split("\\.", -1)) {
            keys.identifier("target.table", part);
        }
        if (table.split("\\.").length > 2) {
            throw keys.bad("target.table", "'" + table + "' must be table or schema.table");
        }
        if (target.key() == null || target.key().isEmpty()) {
            throw keys.bad("target.key", "must list the key column(s)");
        }
        target.key().forEach(column -> keys.identifier("target.key", column));
        if (Set.copyOf(target.key()).size() != target.key().size()) {
            throw keys.bad("target.key", "lists a column twice");
        }
        String softDelete = blankToNull(target.softDelete());
        if (softDelete != null) {
            keys.identifier("target.soft-delete", softDelete);
            if (target.key().contains(softDelete)) {
                throw keys.bad("target.soft-delete", "'" + softDelete + "' is a key column");
            }
        }
        return new FeedDefinition.Target(table, List.copyOf(target.key()), softDelete,
                softDeleteAfter(keys, target.softDeleteAfter(), softDelete),
                Boolean.TRUE.equals(target.create()), Boolean.TRUE.equals(target.shared()));
    }

    /**
     * {@code target.soft-delete-after: N}: how many consecutive complete full runs must miss a row
     * before it is soft-deleted. By default 2 with page-number or offset pagination, whose pages
     * shift when the upstream deletes a record during a run, so that a record still there can go
     * unseen once; 1 with the others, which page from a position the upstream keeps.
     */
    private static int softDeleteAfter(Keys keys, String text, String softDelete) {
        String key = "target.soft-delete-after";
        String value = blankToNull(text);
        if (value == null) {
            String paging = keys.feed().source() == null ? null : keys.paging().type();
            return "page".equals(keys.or(paging, "none")) || "offset".equals(keys.or(paging, "none")) ? 2 : 1;
        }
        if (softDelete == null) {
            throw keys.bad(key, "needs target.soft-delete: it counts the full runs that miss a row before that"
                    + " column is set");
        }
        int runs;
        try {
            runs = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw keys.bad(key, "'" + value.trim() + "' is not a whole number of full runs (1 or more)");
        }
        if (runs < 1) {
            throw keys.bad(key, "must be 1 or more (" + runs + " given): the number of consecutive complete full"
                    + " runs that must miss a row before it is soft-deleted");
        }
        return runs;
    }

    private static <T> T closedSet(Keys keys, String key, String type, Map<String, T> known) {
        T value = known.get(type);
        if (value == null) {
            throw keys.bad(key, "unknown type '" + type + "' (expected one of "
                    + String.join(", ", known.keySet().stream().sorted().toList()) + ")");
        }
        return value;
    }

    static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    /** Reads one feed's raw values, naming the full key of whatever is wrong. */
    private record Keys(String prefix, FeedsyncProperties.Feed feed) {

        FeedConfigException bad(String key, String problem) {
            return new FeedConfigException(prefix + "." + key, problem);
        }

        FeedsyncProperties.Auth auth() {
            FeedsyncProperties.Auth auth = feed.source().auth();
            return auth == null ? FeedsyncProperties.Auth.EMPTY : auth;
        }

        FeedsyncProperties.Pagination paging() {
            FeedsyncProperties.Pagination paging = feed.source().pagination();
            return paging == null ? FeedsyncProperties.Pagination.EMPTY : paging;
        }

        String required(String key, String value) {
            if (blankToNull(value) == null) {
                throw bad(key, "must be set");
            }
            return value.trim();
        }

        String or(String value, String fallback) {
            return blankToNull(value) == null ? fallback : value.trim();
        }

        int positive(String key, Integer value, int fallback) {
            if (value == null) {
                return fallback;
            }
            if (value <= 0) {
                throw bad(key, "must be positive");
            }
            return value;
        }

        String pointer(String key, String value) {
            if (value == null || !(value.isEmpty() || value.startsWith("/"))) {
                throw bad(key, "'" + value + "' is not a JSON pointer (it starts with '/', or is \"\" for the whole page)");
            }
            return JsonPointer.compile(value).toString();
        }

        void identifier(String key, String name) {
            if (name == null || !IDENTIFIER.matcher(name).matches()) {
                throw bad(key, "'" + name + "' is not a plain lower-case SQL identifier");
            }
        }
    }
}
