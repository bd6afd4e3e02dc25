package io.feedsync.store;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.transform.Chunk;

/**
 * The {@code sync_dead_letter} table: each record that could not be applied, with its original
 * payload and the reason, so that the run goes on and nothing is lost.
 */
@Component("deadLetters")
public class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private static final String COLUMNS = "id, feed, run_id, record_key, payload::text as payload, error_class,"
            + " error_message, created_at, replayed_at, replay_run_id, parent::text as parent";
    /** The most a replay takes on at once; run it again for the rest. */
    private static final int REPLAY_LIMIT = 100_000;

    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private final SeenKeys seenKeys;

    public DeadLetters(JdbcTemplate jdbc, ObjectMapper mapper, SeenKeys seenKeys) {
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.seenKeys = seenKeys;
    }

    /** The feed's dead letters, those not yet replayed first, then newest first. */
    public List<DeadLetter> list(String feed, int limit) {
        return jdbc.query("select " + COLUMNS + " from sync_dead_letter where feed = ?"
                + " order by replayed_at is not null, id desc limit ?", this::letter, feed, limit);
    }

    /** How many of each feed's dead letters wait for a replay, for these feeds (0 included), in one query. */
    public Map<String, Long> pendingCounts(Collection<String> feeds) {
        Map<String, Long> counts = new HashMap<>();
        jdbc.query("""
                select f.feed, (select count(*) from sync_dead_letter d
                                 where d.feed = f.feed and d.replayed_at is null) as pending
                  from unnest(?::text[]) f(feed)""",
                rs -> {
                    counts.put(rs.getString("feed"), rs.getLong("pending"));
                }, (Object) feeds.toArray(String[]::new));
        return counts;
    }

    /** What a replay run takes on: the feed's letters not replayed yet, oldest first. */
    public List<DeadLetter> pending(@ExchangeProperty(StoreRun.PROPERTY) StoreRun run) {
        return jdbc.query("select " + COLUMNS + " from sync_dead_letter where feed = ? and replayed_at is null"
                + " and run_id <> ? order by id limit ?", this::letter, run.feed().name(), run.runId(), REPLAY_LIMIT);
    }

    public void markReplayed(long id, long runId) {
        jdbc.update("update sync_dead_letter set replayed_at = now(), replay_run_id = ? where id = ?", runId, id);
    }

    /** Whether letters of the feed that a later write could settle (those with a key) wait. */
    public boolean waiting(String feed) {
        return Boolean.TRUE.equals(jdbc.queryForObject("""
                select exists (select 1 from sync_dead_letter
                                where feed = ? and replayed_at is null and record_key is not null)""",
                Boolean.class, feed));
    }

    /**
     * Settles, as replayed by this run, the letters of earlier runs whose records the run has
     * just applied, or found applied already with the content it was sent: the upstream's latest
     * version of each is in the table, and a replay of a letter's older payload would overwrite it.
     */
    public void settle(StoreRun run, Collection<String> keys) {
        if (keys.isEmpty() || !run.lettersWaiting() || run.dryRun() || run.replay()) {
            return;
        }
        jdbc.update("""
                update sync_dead_letter set replayed_at = now(), replay_run_id = ?
                 where feed = ? and replayed_at is null and run_id < ? and record_key = any(?)""",
                run.runId(), run.feed().name(), run.runId(), keys.toArray(String[]::new));
    }

    /**
     * Settles, as replayed by this full run, the letters of earlier runs whose records it did not
     * see: the upstream no longer has them, and a replay would bring them back.
     */
    public void settleUnseen(StoreRun run, JdbcTemplate transaction) {
        if (!run.lettersWaiting()) {
            return;
        }
        transaction.update("""
                update sync_dead_letter d set replayed_at = now(), replay_run_id = ?
                 where d.feed = ? and d.replayed_at is null and d.run_id < ? and d.record_key is not null
                   and not exists (select 1 from sync_seen_key s
                                    where s.run_id = ? and array_to_string(s.key, '|') = d.record_key)"""
                        + ofSeenParent(run), run.runId(), run.feed().name(), run.runId(), run.runId());
    }

    /**
     * A child feed's letter counts as gone only when its parent was fetched whole by the run: its parent
     * columns (as the letter keeps them) are those of a parent in {@code sync_seen_parent}.
     */
    private static String ofSeenParent(StoreRun run) {
        io.feedsync.upstream.ForEach forEach = run.feed().source().forEach();
        if (forEach == null) {
            return "";
        }
        List<String> match = new java.util.ArrayList<>();
        for (String column : new java.util.LinkedHashSet<>(run.feed().transform().parents().values())) {
            match.add("sp.columns[" + (forEach.columns().indexOf(column) + 1) + "] = d.parent->>'"
                    + column.replace("'", "''") + "'");
        }
        return match.isEmpty() ? " and false" : " and exists (select 1 from sync_seen_parent sp where sp.run_id = "
                + run.runId() + " and " + String.join(" and ", match) + ")";
    }

    /** Settles, as replayed by this run, the letters of a replayed record ({@code key}) older than its own. */
    public void settleOlder(DeadLetter replayed, String key, long runId) {
        jdbc.update("""
                update sync_dead_letter set replayed_at = now(), replay_run_id = ?
                 where feed = ? and replayed_at is null and record_key = ? and id < ?""",
                runId, replayed.feed(), key, replayed.id());
    }

    /** A replay that failed again: the letter stays, with the latest reason. */
    public void failedAgain(long id, Throwable failure) {
        jdbc.update("update sync_dead_letter set error_class = ?, error_message = ? where id = ?",
                failure.getClass().getSimpleName(), reason(failure), id);
    }

    private DeadLetter letter(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        try {
            return new DeadLetter(rs.getLong("id"), rs.getString("feed"), rs.getLong("run_id"),
                    rs.getString("record_key"), mapper.readTree(rs.getString("payload")), rs.getString("error_class"),
                    rs.getString("error_message"), rs.getTimestamp("created_at").toInstant(),
                    rs.getTimestamp("replayed_at") == null ? null : rs.getTimestamp("replayed_at").toInstant(),
                    (Long) rs.getObject("replay_run_id"), rs.getString("parent") == null ? null
                            : mapper.readValue(rs.getString("parent"), PARENT));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("dead letter " + rs.getLong("id") + " holds no JSON", e);
        }
    }

    /**
     * Stores the records a chunk lost on its way (transform, watermark screen); they stay in the
     * chunk for the run to count. A dry run stores none. A full run counts a record as seen when its
     * key is known — the upstream still has it, so its row must not be soft-deleted.
     */
    public void store(@Body Chunk chunk, @ExchangeProperty(StoreRun.PROPERTY) StoreRun run) {
        for (Chunk.Rejection rejection : chunk.rejections()) {
            if (run.seesKeys()) {
                if (rejection.record() != null) {
                    seenKeys.record(run, List.of(rejection.record()));
                } else if (rejection.keyValues() == null) {
                    run.keylessRejection();
                } else {
                    seenKeys.recordKeys(run, List.of(rejection.keyValues()));
                }
            }
            store(run, rejection.payload(), rejection.key(), rejection.failure(), chunk.parent());
        }
    }

    /**
     * Stores one record that failed, with why (and for a child feed, the parent row it was fetched for:
     * {@code for-each} columns, empty for any other feed); a dry run does not.
     */
    public void store(StoreRun run, JsonNode payload, String key, Throwable failure, Map<String, String> parent) {
        if (!run.dryRun()) {
            String json = storable(payload.toString());
            String storedKey = key == null ? null : key.replace('\u0000', '\uFFFD');
            // the same record already waiting (sent again by the next run, or read again after a
            // page was retried) stays one letter, with the latest reason
            int waiting = jdbc.update("""
                    update sync_dead_letter set error_class = ?, error_message = ?
                     where feed = ? and replayed_at is null and md5(payload::text) = md5(cast(? as jsonb)::text)
                       and payload = cast(? as jsonb) and record_key is not distinct from ?""",
                    failure.getClass().getSimpleName(), reason(failure), run.feed().name(), json, json, storedKey);
            if (waiting == 0) {
                jdbc.update("""
                        insert into sync_dead_letter (feed, run_id, record_key, payload, error_class, error_message, parent)
                        values (?, ?, ?, cast(? as jsonb), ?, ?, cast(? as jsonb))""",
                        run.feed().name(), run.runId(), storedKey, json, failure.getClass().getSimpleName(),
                        reason(failure), parent.isEmpty() ? null : parentJson(parent));
            }
        }
        log.warn("Feed {} run {}: record {} dead-lettered: {}", run.feed().name(), run.runId(),
                key == null ? "(no key)" : key, reason(failure));
    }

    private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, String>> PARENT =
            new com.fasterxml.jackson.core.type.TypeReference<>() {
            };

    private String parentJson(Map<String, String> parent) {
        try {
            return storable(mapper.writeValueAsString(parent));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JSON escape of U+0000 that is not itself an escaped backslash followed by "u0000". */
    private static final Pattern NUL_ESCAPE = Pattern.compile("(?<!\\\\)((?:\\\\\\\\)*)\\\\u0000");

    /**
     * The payload as jsonb can hold it: PostgreSQL stores no U+0000 in text or jsonb, so a record
     * carrying one (which no target column could hold either) is kept with U+FFFD in its place.
     */
    static String storable(String json) {
        return json.contains("\\u0000") ? NUL_ESCAPE.matcher(json).replaceAll("$1\\\\uFFFD") : json;
    }

    /** The most specific message: for a database error, PostgreSQL's own words. */
    static String reason(Throwable failure) {
        Throwable specific = failure;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.sql.SQLException) {
                specific = cause;
            }
        }
        return String.valueOf(specific.getMessage());
    }
}
