package io.feedsync.api;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.feedsync.run.FeedTimerJob;
import io.feedsync.run.RunRange;
import io.feedsync.run.RunRequest;
import io.feedsync.run.RunTrigger;

/**
 * Reads what API callers send: the bodies the REST binding bound ({@link ApiJson}), ids and limits, and
 * what their fields mean together; anything malformed is a 400.
 */
@Component("apiRequests")
public class ApiRequests {

    private static final int MAX_LIMIT = 1000;
    private static final String FLAG = " must be true or false";
    /** What each field of a run's body must be, when it is of another JSON type. */
    private static final Map<String, String> RUN_TYPES = Map.of("mode", "'mode' must be \"incremental\" or \"full\"",
            "dryRun", "'dryRun'" + FLAG, "confirm", "'confirm'" + FLAG, "restart", "'restart'" + FLAG,
            "since", "'since' must be a cursor value of the feed, as text",
            "until", "'until' must be a cursor value of the feed, as text");
    private static final String TAG = "'tag' must be a tag: lower-case letters, digits and '-', at most 40 characters";
    /** What each field of a batch's body must be, when it is of another JSON type ("feeds[]": an element of it). */
    private static final Map<String, String> BATCH_TYPES = Map.of(
            "feeds", "'feeds' must be a list of 1 to " + MAX_LIMIT + " feed names",
            "feeds[]", "'feeds' must list feed names as text, not ", "tag", TAG,
            "mode", "'mode': must be \"incremental\" or \"full\"", "dryRun", "'dryRun'" + FLAG, "confirm", "'confirm'" + FLAG);
    private static final String REASON = "'reason' must be text of at most 500 characters";

    private final FeedCatalog catalog;
    private final ObjectMapper mapper;

    public ApiRequests(FeedCatalog catalog, ObjectMapper mapper) {
        this.catalog = catalog;
        this.mapper = mapper;
    }

    /**
     * {@code POST /api/feeds/{feed}/runs} with an optional body {@code {mode, dryRun, confirm, restart,
     * since, until}}; {@code since} makes it a selective (incremental) run of that cursor range.
     */
    public RunRequest runRequest(@Header("feed") String feedName, Exchange exchange) {
        FeedDefinition feed = catalog.get(feedName);
        RunOptions options = ApiJson.body(exchange, RunOptions.class, "like {\"mode\": \"full\", \"dryRun\": false}",
                "expected mode, dryRun, confirm, restart, since, until", RUN_TYPES::get);
        if (options == null) {
            options = new RunOptions(null, null, null, null, null, null);
        }
        RunMode asked = mode(options.mode(), "'mode': ");
        RunMode mode = asked == null ? feed.mode() : asked;
        RunRange range = null;
        String since = cursor(options.since(), "since");
        String until = cursor(options.until(), "until");
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
        return new RunRequest(feed.name(), RunTrigger.REST, mode, flag(options.dryRun()), flag(options.confirm()),
                flag(options.restart()), range).by(caller(exchange));
    }

    /** What {@code POST /api/runs} asks for: the feeds named or the tag (exactly one), and how to run them. */
    public record BatchRequest(List<String> feeds, String tag, RunMode mode, boolean dryRun, boolean confirm, JsonNode json) {
    }

    /**
     * {@code POST /api/runs} with {@code {"feeds": [...]}} or {@code {"tag": "…"}} and optionally
     * {@code mode, dryRun, confirm}; a feed's own mode where none is given (null here).
     */
    public BatchRequest batchRequest(Exchange exchange) {
        BatchOptions options = ApiJson.body(exchange, BatchOptions.class, "like {\"tag\": \"nightly\", \"mode\": \"full\"}",
                "expected feeds or tag, and mode, dryRun, confirm", BATCH_TYPES::get);
        if (options == null) {
            throw new BadRequestException("a batch needs a body: {\"feeds\": [\"a\", \"b\"]} or {\"tag\": \"nightly\"}");
        }
        if ((options.feeds() == null) == (options.tag() == null)) {
            throw new BadRequestException("give exactly one of 'feeds' (a list of feed names) and 'tag'");
        }
        if (options.feeds() != null) {
            List<String> feeds = options.feeds();
            if (feeds.isEmpty() || feeds.size() > MAX_LIMIT) {
                throw new BadRequestException("'feeds' must be a list of 1 to " + MAX_LIMIT + " feed names");
            }
            for (int i = 0; i < feeds.size(); i++) {
                if (feeds.get(i).isBlank()) {
                    throw new BadRequestException("'feeds' must list feed names as text, not "
                            + mapper.valueToTree(feeds.get(i)));
                }
                if (feeds.subList(0, i).contains(feeds.get(i))) {
                    throw new BadRequestException("'feeds' lists '" + feeds.get(i) + "' twice");
                }
            }
        } else if (!Tags.isTag(options.tag())) {
            throw new BadRequestException(TAG);
        }
        RunMode mode = mode(options.mode(), "'mode': ");
        return new BatchRequest(options.feeds(), options.tag(), mode, flag(options.dryRun()), flag(options.confirm()),
                readTree(exchange.getProperty(ApiJson.TEXT, String.class)));
    }

    /** {@code POST /api/feeds/{feed}/dead-letters/replay}: a replay run of the feed; no body, or {@code {}}. */
    public RunRequest replayRequest(@Header("feed") String feedName, Exchange exchange) {
        FeedDefinition feed = catalog.get(feedName);
        noOptions(exchange, "or no body at all: a replay takes no options", "a replay takes no options");
        return new RunRequest(feed.name(), RunTrigger.REPLAY, feed.mode(), false, false).by(caller(exchange));
    }

    /**
     * {@code POST /api/feeds/{feed}/drift}: a drift check, a dry full run that compares the upstream with
     * the table; no body, or {@code {}}.
     */
    public RunRequest driftRequest(@Header("feed") String feedName, Exchange exchange) {
        FeedDefinition feed = catalog.get(feedName);
        noOptions(exchange, "or no body at all: a drift check takes no options", "a drift check takes no options");
        return new RunRequest(feed.name(), RunTrigger.DRIFT, RunMode.FULL, true, false).by(caller(exchange));
    }

    /** {@code POST /api/feeds/{feed}/pause}: no body, {@code {}}, or {@code {"reason": "…"}}; the reason, if any. */
    public String pauseReason(@Header("feed") String feedName, Exchange exchange) {
        catalog.get(feedName);
        PauseOptions options = ApiJson.body(exchange, PauseOptions.class, "like {\"reason\": \"upstream migrating\"}",
                "expected reason", field -> REASON);
        String reason = options == null ? null : options.reason();
        if (reason != null && reason.length() > 500) {
            throw new BadRequestException(REASON);
        }
        return reason == null || reason.isBlank() ? null : reason;
    }

    /** {@code POST /api/feeds/{feed}/resume}: no body, or {@code {}}. */
    public String resumeRequest(@Header("feed") String feedName, Exchange exchange) {
        catalog.get(feedName);
        noOptions(exchange, "or no body at all: resuming takes no options", "resuming takes no options");
        return feedName;
    }

    /** {@code POST /api/runs/{id}/cancel}: no body, or {@code {}}. */
    public void cancelRequest(Exchange exchange) {
        noOptions(exchange, "or no body at all: cancelling takes no options", "cancelling takes no options");
    }

    /** {@code POST /api/feeds/{feed}/deliveries/{endpoint}/retry}: no body, or {@code {}}. */
    public String retryRequest(@Header("feed") String feedName, Exchange exchange) {
        catalog.get(feedName);
        noOptions(exchange, "or no body at all: a retry takes no options", "a retry takes no options");
        return feedName;
    }

    private void noOptions(Exchange exchange, String shape, String expected) {
        ApiJson.body(exchange, NoOptions.class, shape, expected, field -> expected);
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

    /** A timer fire of a scheduled feed: its configured mode, for real, once for the fire's time. */
    public RunRequest scheduled(@Header(FeedTimerJob.FEED) String feedName, @Header(FeedTimerJob.FIRE_TIME) Instant fireTime) {
        FeedDefinition feed = catalog.get(feedName);
        return new RunRequest(feed.name(), RunTrigger.TIMER, feed.mode(), false, false).firedAt(fireTime);
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

    private JsonNode readTree(String json) {
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("a bound body is JSON", e);
        }
    }

    /** A cursor value as the binding read it (text, or a number's text); null when absent. */
    private static String cursor(String value, String name) {
        if (value != null && value.isBlank()) {
            throw new BadRequestException("'" + name + "' must not be empty");
        }
        return value;
    }

    /** The body's {@code mode}, null when it gives none. */
    private static RunMode mode(String value, String prefix) {
        if (value == null) {
            return null;
        }
        try {
            return RunMode.parse(value);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(prefix + e.getMessage());
        }
    }

    private static boolean flag(Boolean value) {
        return value != null && value;
    }
}
