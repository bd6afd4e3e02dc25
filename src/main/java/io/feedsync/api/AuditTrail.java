package io.feedsync.api;

import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.feedsync.config.FeedValidator;

/**
 * The audit trail of operator actions ({@code sync_audit}): each operator route of routes/api-routes.yaml
 * begins with {@link #begin} (who, what, on which feed) and ends with {@link #succeeded}; its
 * refusals are recorded by {@link #refused} in the error handler of the route configuration api, with
 * the status answered.
 * An action with a row of its own (a pause, a feed definition's version) writes its audit row in
 * that row's transaction ({@link #together}); the others right after the action, once its outcome
 * is known.
 */
@Component("auditTrail")
public class AuditTrail {

    /** The exchange property that carries the action being audited from begin to its outcome. */
    private static final String PROPERTY = "feedsyncAudit";
    /** Set once the action's audit row is written with its own row: nothing more to record. */
    private static final String RECORDED = "feedsyncAuditRecorded";
    static final String MASK = "*****";

    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
    /** Names whose values are masked wherever they appear in a request ({@code source.auth.token}, {@code apiKey}, …). */
    private static final Pattern SECRET_NAME = Pattern.compile("password|token|key|secret");
    private static final Pattern NOTIFY_ENDPOINT = Pattern.compile("notify\\.(changes|runs)\\[\\d+]");
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final ApiRequests requests;
    private final ObjectMapper mapper;
    private final RowMapper<AuditView> row;

    public AuditTrail(JdbcTemplate jdbc, TransactionTemplate transactions, ApiRequests requests, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.requests = requests;
        this.mapper = mapper;
        this.row = (rs, n) -> new AuditView(rs.getLong("id"), rs.getTimestamp("at").toInstant(), rs.getString("actor"),
                rs.getString("action"), rs.getString("feed"), object(rs.getString("request")), rs.getInt("status"),
                (Long) rs.getObject("run_id"), (Long) rs.getObject("batch_id"), rs.getString("error"));
    }

    /**
     * What is about to be done, and by whom, with the request body as it was sent: the text the REST
     * binding read ({@link ApiJson}), or, when it read none (no body, or a blank one), the body itself.
     */
    public void begin(Exchange exchange, String action) {
        Message message = exchange.getMessage();
        String body = exchange.getProperty(ApiJson.TEXT, String.class);
        if (body == null) {
            body = message.getBody(String.class);
            message.setBody(body);
        }
        exchange.setProperty(PROPERTY, new Action(requests.caller(exchange), action,
                message.getHeader("feed", String.class), masked(body, "define".equals(action))));
    }

    /** The action turned out to concern {@code feed} (a run's, for an action on a run by its id). */
    public void concerning(Exchange exchange, String feed) {
        Action action = exchange.getProperty(PROPERTY, Action.class);
        exchange.setProperty(PROPERTY, new Action(action.actor(), action.action(), feed, action.request()));
    }

    /**
     * Does the action's own write and records it, with the status it answers, in one transaction: the
     * pause or the definition's version is never there without its audit row, nor the row without it.
     */
    public <T> T together(Exchange exchange, Supplier<T> write, ToIntFunction<T> status) {
        T written = together(exchange.getProperty(PROPERTY, Action.class), write, status);
        exchange.setProperty(RECORDED, true);
        return written;
    }

    /**
     * An operator action that does not come over the API (the JMX operations, {@code ops/JmxFeedPauses}):
     * who, what, on which feed, and its arguments, masked as a request body is.
     */
    public Action action(String actor, String action, String feed, Map<String, ?> arguments) {
        return new Action(actor, action, feed, arguments == null ? null : masked(mapper.valueToTree(arguments).toString(), false));
    }

    /** As {@link #together(Exchange, Supplier, ToIntFunction)}, for an action that does not come over the API. */
    public <T> T together(Action action, Supplier<T> write, ToIntFunction<T> status) {
        return transactions.execute(transaction -> {
            T result = write.get();
            insert(action, status.applyAsInt(result), null, null, null);
            return result;
        });
    }

    /** An action that does not come over the API took effect: recorded with the status the API would answer, and its run. */
    public void succeeded(Action action, int status, Long runId) {
        try {
            insert(action, status, runId, null, null);
        } catch (RuntimeException e) {
            log.error("Audit: could not record {} of feed {} by {}", action.action(), action.feed(), action.actor(), e);
        }
    }

    /** An action that does not come over the API was refused: recorded with the status and error code the API would answer. */
    public void refused(Action action, int status, String error) {
        try {
            insert(action, status, null, null, error);
        } catch (RuntimeException e) {
            log.error("Audit: could not record the refused {} of feed {} by {}", action.action(), action.feed(),
                    action.actor(), e);
        }
    }

    /**
     * Stores a batch of runs ({@code write} answers its id) and records the action, status 202, in one
     * transaction: the batch is never there without its audit row, nor the row without it.
     */
    public long togetherWithBatch(Exchange exchange, Supplier<Long> write) {
        Action action = exchange.getProperty(PROPERTY, Action.class);
        long batch = transactions.execute(transaction -> {
            long id = write.get();
            insert(action, 202, null, id, null);
            return id;
        });
        exchange.setProperty(RECORDED, true);
        return batch;
    }

    /** The action is done: its status (202, 201, 200) and the run it started, if any. */
    public void succeeded(Exchange exchange) {
        Action action = exchange.getProperty(PROPERTY, Action.class);
        if (exchange.getProperty(RECORDED, false, Boolean.class)) {
            return;
        }
        Object body = exchange.getMessage().getBody();
        Long runId = body instanceof RunAccepted accepted ? accepted.runId() : body instanceof RunView run ? run.runId() : null;
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        try {
            insert(action, status == null ? 200 : status, runId, null, null);
        } catch (RuntimeException e) {
            // the action took effect: answering a failure would be the greater lie
            log.error("Audit: could not record {} of feed {} by {}", action.action(), action.feed(), action.actor(), e);
        }
    }

    /**
     * The action was refused (or failed): the status and error code answered. Nothing outside operator
     * actions, nor for one already recorded with its own row (that took effect; only the answer failed after).
     */
    public void refused(Exchange exchange) {
        Action action = exchange.getProperty(PROPERTY, Action.class);
        if (action == null || exchange.getProperty(RECORDED, false, Boolean.class)) {
            return;
        }
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String error = exchange.getMessage().getBody() instanceof ApiError answered ? answered.error() : null;
        try {
            insert(action, status == null ? 500 : status, null, null, error);
        } catch (RuntimeException e) {
            log.error("Audit: could not record the refused {} of feed {} by {}", action.action(), action.feed(),
                    action.actor(), e);
        }
    }

    /** {@code GET /api/audit?feed=&since=&limit=}: newest first. */
    public List<AuditView> list(@Header("feed") String feed, @Header("since") String since,
                                @Header("limit") String limit) {
        int rows = requests.limit(limit, null);
        StringBuilder sql = new StringBuilder("select * from sync_audit where true");
        List<Object> args = new ArrayList<>();
        if (feed != null && !feed.isBlank()) {
            sql.append(" and feed = ?");
            args.add(feed);
        }
        if (since != null && !since.isBlank()) {
            sql.append(" and at >= ?");
            args.add(Timestamp.from(instant(since)));
        }
        sql.append(" order by at desc, id desc limit ?");
        args.add(rows);
        return jdbc.query(sql.toString(), row, args.toArray());
    }

    private void insert(Action action, int status, Long runId, Long batchId, String error) {
        jdbc.update("insert into sync_audit (actor, action, feed, request, status, run_id, batch_id, error) "
                        + "values (?, ?, ?, ?::jsonb, ?, ?, ?, ?)",
                action.actor(), action.action(), action.feed(), action.request(), status, runId, batchId, error);
    }

    /**
     * The body as JSON text with its secrets masked; a body that is no JSON object is not kept. A
     * feed's definition is masked by path: its secret keys ({@code source.auth.token}, …) and the
     * credentials inside notify endpoint URIs, nothing else ({@code target.key} is shown). Any other
     * body, and any key a feed does not have, is masked by name: whatever is called a password,
     * token, key or secret.
     */
    private String masked(String body, boolean feedDefinition) {
        if (body == null || body.isBlank()) {
            return null;
        }
        JsonNode json;
        try {
            json = mapper.readTree(body);
        } catch (IOException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            return mapper.createObjectNode().put("unreadable", body.length() + " characters, not a JSON object").toString();
        }
        mask(json, feedDefinition ? "" : null, false);
        return json.toString();
    }

    /**
     * @param path   the feed key the node stands at ({@code source.auth}), "" at a definition's root;
     *               null when the body is no definition or the key is no feed's
     * @param secret whether the node lies under a secret-looking name
     */
    private static void mask(JsonNode node, String path, boolean secret) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                String child = path == null ? null : path.isEmpty() ? name : path + "." + name;
                masked(object.get(name), name, child, secret, value -> object.set(name, value));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                int index = i;
                masked(array.get(i), null, path == null ? null : path + "[" + i + "]", secret, value -> array.set(index, value));
            }
        }
    }

    /** @param name the value's field name; null for an array's element */
    private static void masked(JsonNode value, String name, String path, boolean secret,
                               java.util.function.Consumer<JsonNode> set) {
        boolean known = path != null && FeedValidator.isKnownKey(path);
        boolean secretHere = known ? FeedValidator.isSecretKey(path.replaceAll("\\[\\d+]", ""))
                : secret || (name != null && SECRET_NAME.matcher(name.toLowerCase(Locale.ROOT)).find());
        if (value.isContainerNode()) {
            mask(value, known ? path : null, !known && secretHere);
        } else if (value.isNull()) {
            return;
        } else if (secretHere) {
            set.accept(TextNode.valueOf(MASK));
        } else if (known && NOTIFY_ENDPOINT.matcher(path).matches()) {
            set.accept(TextNode.valueOf(URISupport.sanitizeUri(value.asText())));
        }
    }

    private static Instant instant(String since) {
        try {
            return Instant.parse(since.trim());
        } catch (DateTimeParseException e) {
            throw new BadRequestException("'since' must be an instant like 2026-01-31T00:00:00Z, not '" + since + "'");
        }
    }

    private Map<String, Object> object(String json) {
        if (json == null) {
            return null;
        }
        try {
            return mapper.readValue(json, OBJECT);
        } catch (IOException e) {
            throw new IllegalStateException("sync_audit.request is not a JSON object", e);
        }
    }

    /** An operator action under way: who, what, on which feed, with which (masked) request. */
    public record Action(String actor, String action, String feed, String request) {
    }
}
