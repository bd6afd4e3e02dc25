package io.feedsync.store;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.run.RunState;
import io.feedsync.transform.ColumnMapping;
import io.feedsync.transform.TransformedRecord;
import io.feedsync.upstream.Incremental;

/**
 * The {@code sync_dead_letter} table: each record that could not be applied, with its original
 * payload and the reason, so that the run goes on and nothing is lost.
 */
@Component("deadLetters")
public class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private final JdbcTemplate jdbc;

    public DeadLetters(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Stores the record of a failed split exchange (its body: the upstream record, transformed or
     * not). A dry run only counts it.
     */
    public void store(Exchange exchange) {
        RunState run = exchange.getProperty(RunState.PROPERTY, RunState.class);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Object body = exchange.getMessage().getBody();
        JsonNode payload = body instanceof TransformedRecord record ? record.source() : (JsonNode) body;
        String key = body instanceof TransformedRecord record ? record.key() : null;
        store(run, payload, key, failure);
    }

    /** Stores one record that failed, with why; a dry run only counts it. */
    public void store(RunState run, JsonNode payload, String key, Throwable failure) {
        if (!run.request().dryRun()) {
            jdbc.update("""
                    insert into sync_dead_letter (feed, run_id, record_key, payload, error_class, error_message)
                    values (?, ?, ?, cast(? as jsonb), ?, ?)""",
                    run.feed().name(), run.runId(), key, payload.toString(), failure.getClass().getSimpleName(),
                    reason(failure));
        }
        run.recordDeadLettered();
        rememberCursor(run, payload);
        log.warn("Feed {} run {}: record {} dead-lettered: {}", run.feed().name(), run.runId(),
                key == null ? "(no key)" : key, reason(failure));
    }

    /** The most specific message: for a database error, PostgreSQL's own words. */
    private static String reason(Throwable failure) {
        Throwable specific = failure;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.sql.SQLException) {
                specific = cause;
            }
        }
        return String.valueOf(specific.getMessage());
    }

    private static void rememberCursor(RunState run, JsonNode payload) {
        Incremental incremental = run.feed().source().incremental();
        if (incremental == null) {
            return;
        }
        String cursor = ColumnMapping.text(payload.at(incremental.cursorPointer()));
        if (cursor != null && !cursor.isEmpty()) {
            try {
                incremental.check(cursor);
                run.cursors().failed(cursor);
            } catch (IllegalArgumentException unusable) {
                // a record whose cursor does not parse cannot pin the watermark
            }
        }
    }
}
