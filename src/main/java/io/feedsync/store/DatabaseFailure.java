package io.feedsync.store;

import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * What a PostgreSQL failure says about its cause, by SQLSTATE: a row's bad data, which only that
 * row's dead letter can settle, or a passing condition of the database, which a later run gets past
 * and which must never send good rows to the dead letters.
 */
public final class DatabaseFailure {

    /**
     * Passing conditions besides connection exceptions (class 08): serialization failure, deadlock,
     * lock not available, statement cancelled or timed out, the server shutting down or starting
     * up, too many connections.
     */
    private static final Set<String> TRANSIENT_STATES = Set.of("40001", "40P01", "55P03", "57014", "57P01", "57P02",
            "57P03", "53300");

    private DatabaseFailure() {
    }

    /** PostgreSQL's data exceptions (22…) and integrity violations (23…): the row's fault, not the run's. */
    public static boolean isBadData(Throwable failure) {
        if (isTransient(failure)) {
            return false;
        }
        for (Throwable cause : causes(failure)) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * PostgreSQL refused the statement for good: a feature it does not support on the table (SQLSTATE
     * class 0A, e.g. {@code ON CONFLICT} on a system catalog) or no privilege on it (42501). Never
     * transient, even though the pool drops a connection that reported 0A000 and the rollback after
     * it then fails.
     */
    public static boolean isRefused(Throwable failure) {
        for (Throwable cause : causes(failure)) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("0A") || sql.getSQLState().equals("42501"))) {
                return true;
            }
        }
        return false;
    }

    /** The database was unavailable, busy or cancelled the statement: trying again later can succeed. */
    public static boolean isTransient(Throwable failure) {
        if (isRefused(failure)) {
            return false;
        }
        for (Throwable cause : causes(failure)) {
            if (cause instanceof TransientDataAccessException || cause instanceof CannotGetJdbcConnectionException
                    || cause instanceof SQLTransientException) {
                return true;
            }
            // a commit or rollback that failed: the connection broke under the transaction (when the
            // server went away mid-commit, the rollback after it can fail with any state, even 25P01)
            if (cause instanceof TransactionSystemException) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || TRANSIENT_STATES.contains(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The failure and its causes, outermost first. A rollback that failed after the failure (the
     * pool closes a connection that reported a connection error) hides it behind a
     * {@link TransactionSystemException}: there, the chain goes on with the failure itself.
     */
    public static List<Throwable> causes(Throwable failure) {
        List<Throwable> causes = new ArrayList<>();
        for (Throwable cause = failure; cause != null && !causes.contains(cause); ) {
            causes.add(cause);
            cause = original(cause) != cause ? original(cause) : cause.getCause();
        }
        return causes;
    }

    /** The failure a failed rollback hides, or the failure itself. */
    public static Throwable original(Throwable failure) {
        return failure instanceof TransactionSystemException rollback && rollback.getApplicationException() != null
                ? rollback.getApplicationException() : failure;
    }
}
