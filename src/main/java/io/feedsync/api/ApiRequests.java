package io.feedsync.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.springboot.PlatformHttpMessage;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.stereotype.Component;

import io.feedsync.api.security.FeedScope;
import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.config.RunMode;
import io.feedsync.config.Tags;
import io.feedsync.run.RunRange;
import io.feedsync.run.RunRequest;
import io.feedsync.run.RunTrigger;

/** Reads what API callers send: run bodies, ids and limits, rejecting anything malformed with a 400. */
@Component("apiRequests")
public class ApiRequests {

    private static final Set<String> RUN_FIELDS = Set.of("mode", "dryRun", "confirm", "restart", "since", "until");
    private static final Set<String> BATCH_FIELDS = Set.of("feeds", "tag", "mode", "dryRun", "confirm");
    private static final int MAX_LIMIT = 1000;

    private final FeedCatalog catalog;
    private final ObjectMapper mapper;
    /** One JSON value and nothing after it: {@code {"mode": "full"} {"mode": "incremental"}} is not a body. */
    private final ObjectReader reader;

    public ApiRequests(FeedCatalog catalog, ObjectMapper mapper) {
        this.catalog = catalog;
        this.mapper = mapper;
        this.reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /**
     * {@code POST /api/feeds/{feed}/runs} with an optional body {@code {mode, dryRun, confirm, restart,
     * since, until}}; {@code since} makes it a selective (incremental) run of that cursor range.
     */
    public RunRequest runRequest(@Header("feed") String feedName, @Body String body, Exchange exchange) {
        FeedDefinition feed = catalog.get(feedName);
        JsonNode json = parse(body, RUN_FIELDS, "like {\"mode\": \"full\", \"dryRun\": false}",
                "expected mode, dryRun, confirm, restart, since, until");
        RunMode asked = mode(json, "'mode' must be \"incremental\" or \"full\"");
        RunMode mode = asked == null ? feed.mode() : asked;
        RunRange range = null;
        String since = cursor(json, "since");
        String until = cursor(json, "until");
        if (since != null || until != null) {
            if (asked != null && asked != RunMode.INCREMENTAL) {
                throw new BadRequestException("'since' and 'until' make an incremental run; a full run covers the "
                        + "whole export (leave out 'mode', or give \"incremental\")");
            }
            try {
                range = RunRange.of(feed, since, until);
            } catch (IllegalArgumentException e) {
                throw new BadRequestException(e.getMessage());
            }
            mode = RunMode.INCREMENTAL;
        }
        return new RunRequest(feed.name(), RunTrigger.REST, mode, flag(json, "dryRun"), flag(json, "confirm"),
                flag(json, "restart"), range).by(caller(exchange));
    }

    /** What {@code POST /api/runs} asks for: the feeds named or the tag (exactly one), and how to run them. */
    public record BatchRequest(List<String> feeds, String tag, RunMode mode, boolean dryRun, boolean confirm, JsonNode json) {
    }

    /**
     * {@code POST /api/runs} with {@code {"feeds": [...]}} or {@code {"tag": "…"}} and optionally
     * {@code mode, dryRun, confirm}; a feed's own mode where none is given (null here).
     */
    public BatchRequest batchRequest(String body) {
        if (body == null || body.isBlank()) {
            throw new BadRequestException("a batch needs a body: {\"feeds\": [\"a\", \"b\"]} or {\"tag\": \"nightly\"}");
        }
        JsonNode json = parse(body, BATCH_FIELDS, "like {\"tag\": \"nightly\", \"mode\": \"full\"}",
                "expected feeds or tag, and mode, dryRun, confirm");
        if (json.has("feeds") == json.has("tag")) {
            throw new BadRequestException("give exactly one of 'feeds' (a list of feed names) and 'tag'");
        }
        List<String> feeds = null;
        String tag = null;
        if (json.has("feeds")) {
            JsonNode names = json.get("feeds");
            if (!names.isArray() || names.isEmpty() || names.size() > MAX_LIMIT) {
                throw new BadRequestException("'feeds' must be a list of 1 to " + MAX_LIMIT + " feed names");
            }
            feeds = new ArrayList<>();
            for (JsonNode name : names) {
                if (!name.isTextual() || name.asText().isBlank()) {
                    throw new BadRequestException("'feeds' must list feed names as text, not " + name);
                }
                if (feeds.contains(name.asText())) {
                    throw new BadRequestException("'feeds' lists '" + name.asText() + "' twice");
                }
                feeds.add(name.asText());
            }
        } else {
            JsonNode value = json.get("tag");
            if (!value.isTextual() || !Tags.isTag(value.asText())) {
                throw new BadRequestException("'tag' must be a tag: lower-case letters, digits and '-', at most 40 characters");
            }
            tag = value.asText();
        }
        RunMode mode = mode(json, "'mode': must be \"incremental\" or \"full\"");
        return new BatchRequest(feeds, tag, mode, flag(json, "dryRun"), flag(json, "confirm"), json);
    }

    /** {@code POST /api/feeds/{feed}/dead-letters/replay}: a replay run of the feed; no body, or {@code {}}. */
    public RunRequest replayRequest(@Header("feed") String feedName, @Body String body, Exchange exchange) {
        FeedDefinition feed = catalog.get(feedName);
        parse(body, Set.of(), "or no body at all: a replay takes no options", "a replay takes no options");
        return new RunRequest(feed.name(), RunTrigger.REPLAY, feed.mode(), false, false).by(caller(exchange));
    }

    /**
     * {@code POST /api/feeds/{feed}/drift}: a drift check, a dry full run that compares the upstream with
     * the table; no body, or {@code {}}.
     */
    public RunRequest driftRequest(@Header("feed") String feedName, @Body String body, Exchange exchange) {
        FeedDefinition feed = catalog.get(feedName);
        parse(body, Set.of(), "or no body at all: a drift check takes no options", "a drift check takes no options");
        return new RunRequest(feed.name(), RunTrigger.DRIFT, RunMode.FULL, true, false).by(caller(exchange));
    }

    /** {@code POST /api/feeds/{feed}/pause}: no body, {@code {}}, or {@code {"reason": "…"}}; the reason, if any. */
    public String pauseReason(@Header("feed") String feedName, @Body String body) {
        catalog.get(feedName);
        JsonNode json = parse(body, Set.of("reason"), "like {\"reason\": \"upstream migrating\"}", "expected reason");
        JsonNode reason = json.get("reason");
        if (reason == null || reason.isNull()) {
            return null;
        }
        if (!reason.isTextual() || reason.asText().length() > 500) {
            throw new BadRequestException("'reason' must be text of at most 500 characters");
        }
        return reason.asText().isBlank() ? null : reason.asText();
    }

    /** {@code POST /api/feeds/{feed}/resume}: no body, or {@code {}}. */
    public String resumeRequest(@Header("feed") String feedName, @Body String body) {
        catalog.get(feedName);
        parse(body, Set.of(), "or no body at all: resuming takes no options", "resuming takes no options");
        return feedName;
    }

    /** {@code POST /api/runs/{id}/cancel}: no body, or {@code {}}. */
    public void cancelRequest(@Body String body) {
        parse(body, Set.of(), "or no body at all: cancelling takes no options", "cancelling takes no options");
    }

    /** {@code POST /api/feeds/{feed}/deliveries/{endpoint}/retry}: no body, or {@code {}}. */
    public String retryRequest(@Header("feed") String feedName, @Body String body) {
        catalog.get(feedName);
        parse(body, Set.of(), "or no body at all: a retry takes no options", "a retry takes no options");
        return feedName;
    }

    /**
     * Who is calling: the API key's or console user's name, as Spring Security authenticated it. The
     * route runs on platform-http's own thread, so the name is read from the request, where Spring
     * Security left the caller's context, not from this thread's.
     */
    public String caller(Exchange exchange) {
        Authentication caller = authentication(exchange);
        return caller == null ? "unknown" : caller.getName();
    }

    /** The feeds the caller sees: all of them, or a scoped API key's. */
    public FeedScope scope(Exchange exchange) {
        return FeedScope.of(authentication(exchange));
    }

    private static Authentication authentication(Exchange exchange) {
        if (exchange.getIn() instanceof PlatformHttpMessage http && http.getRequest() != null
                && http.getRequest().getAttribute(RequestAttributeSecurityContextRepository.DEFAULT_REQUEST_ATTR_NAME)
                instanceof SecurityContext context && context.getAuthentication() != null) {
            return context.getAuthentication();
        }
        return SecurityContextHolder.getContext().getAuthentication();
    }

    /** A timer fire of a scheduled feed: its configured mode, for real. */
    public RunRequest scheduled(String feedName) {
        FeedDefinition feed = catalog.get(feedName);
        return new RunRequest(feed.name(), RunTrigger.TIMER, feed.mode(), false, false);
    }

    public long runId(@Header("id") String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new BadRequestException("a run id is a whole number, not '" + id + "'");
        }
    }

    /** A list's {@code limit}; a feed's list first needs the feed (404, whatever the limit). */
    public int limit(@Header("limit") String limit, @Header("feed") String feed) {
        if (feed != null) {
            catalog.get(feed);
        }
        if (limit == null || limit.isBlank()) {
            return 20;
        }
        return (int) WholeNumbers.within(limit, 1, MAX_LIMIT, "'limit' must be a whole number from 1 to " + MAX_LIMIT);
    }

    private JsonNode parse(String body, Set<String> fields, String shape, String expected) {
        if (body == null || body.isBlank()) {
            return mapper.createObjectNode();
        }
        JsonNode json;
        try {
            json = reader.readTree(body);
        } catch (IOException e) {
            throw new BadRequestException("body is not valid JSON");
        }
        if (!json.isObject()) {
            throw new BadRequestException("body must be a JSON object " + shape);
        }
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw new BadRequestException("unknown field '" + name + "' (" + expected + ")");
            }
        }
        return json;
    }

    /** A cursor value: text, or a number for a feed whose cursors are numbers; null when absent. */
    private static String cursor(JsonNode json, String name) {
        JsonNode value = json.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() && !value.isNumber()) {
            throw new BadRequestException("'" + name + "' must be a cursor value of the feed, as text");
        }
        if (value.asText().isBlank()) {
            throw new BadRequestException("'" + name + "' must not be empty");
        }
        return value.asText();
    }

    /** The body's {@code mode}, null when it gives none; {@code notText} answers a mode that is not text. */
    private static RunMode mode(JsonNode json, String notText) {
        JsonNode value = json.get("mode");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new BadRequestException(notText);
        }
        try {
            return RunMode.parse(value.asText());
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("'mode': " + e.getMessage());
        }
    }

    private static boolean flag(JsonNode json, String name) {
        JsonNode value = json.get(name);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new BadRequestException("'" + name + "' must be true or false");
        }
        return value.booleanValue();
    }
}
