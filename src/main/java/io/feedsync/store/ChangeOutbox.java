package io.feedsync.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The transactional outbox of change events ({@code sync_change}): the statements that change a
 * feed's target table write one event per row they changed in the same statement — a
 * data-modifying CTE fed by their {@code RETURNING} — so an event exists exactly when its change
 * committed. Written only for feeds with a {@code notify} section ({@link StoreRun#recordsChanges()}).
 */
public final class ChangeOutbox {

    private ChangeOutbox() {
    }

    /**
     * The statement to run for a write: {@code plain} when {@code run} is null (a table other than
     * the feed's own, or a run that records no changes), else {@code recording} with its parameters.
     */
    static PreparedStatement prepare(Connection connection, StoreRun run, String plain, String recording)
            throws SQLException {
        if (run == null || !run.recordsChanges()) {
            return connection.prepareStatement(plain);
        }
        PreparedStatement statement = connection.prepareStatement(recording);
        statement.setString(1, run.feed().name());
        statement.setLong(2, run.runId());
        return statement;
    }

    /**
     * The CTE {@code changes} that writes an event for each row of {@code rows} (which has the
     * columns {@code key} and {@code row}), of the operation {@code op} (an SQL expression over
     * those rows). Its two parameters, in this order, are the feed's name and the run's id.
     */
    static String recording(String rows, String op) {
        return "changes AS (INSERT INTO sync_change (feed, run_id, op, record_key, row) SELECT ?, ?, " + op
                + ", c.key, c.row FROM " + rows + " c)";
    }

    /**
     * The row as it was before a soft-delete set {@code column} on it (a soft-delete changes nothing
     * else), from the {@code jsonb} of the row after.
     */
    static String beforeSoftDelete(String rowAfter, String column) {
        return rowAfter + " || jsonb_build_object('" + column.replace("'", "''") + "', null)";
    }
}
