package io.feedsync.store;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.transaction.TransactionSystemException;

import static org.assertj.core.api.Assertions.assertThat;

/** How a database failure is classed: bad data (dead letters), transient (a later run), or neither. */
class DatabaseFailureTest {

    @Test
    void aRollbackThatFailedAfterTheServerWentAwayMidCommitIsTransient() {
        // seen in PostgresRestartTest: the commit failed (57P01), then the rollback on the dead connection
        TransactionSystemException rollback = new TransactionSystemException("JDBC rollback failed",
                new PSQLException("Cannot rollback when autoCommit is enabled.", PSQLState.NO_ACTIVE_SQL_TRANSACTION));

        assertThat(DatabaseFailure.isTransient(rollback)).isTrue();
        assertThat(DatabaseFailure.isBadData(rollback)).isFalse();
    }

    @Test
    void aFeatureNotSupportedIsRefusedForGoodEvenBehindTheFailedRollbackAfterIt() {
        // a write to pg_catalog.pg_authid: ON CONFLICT refused (0A000), the pool drops that connection, the rollback fails
        PSQLException refused = new PSQLException("ON CONFLICT is not supported with system catalog tables",
                PSQLState.NOT_IMPLEMENTED);
        TransactionSystemException rollback = new TransactionSystemException("JDBC rollback failed",
                new PSQLException("This connection has been closed.", PSQLState.CONNECTION_DOES_NOT_EXIST));
        rollback.initApplicationException(new UncategorizedSQLException("merge", "INSERT …", refused));

        assertThat(DatabaseFailure.isRefused(rollback)).isTrue();
        assertThat(DatabaseFailure.isTransient(rollback)).isFalse();
        assertThat(DatabaseFailure.isRefused(new java.sql.SQLException("permission denied for table x", "42501"))).isTrue();
    }

    @Test
    void aConstraintViolationIsBadDataNotTransient() {
        DataIntegrityViolationException violation = new DataIntegrityViolationException("duplicate",
                new PSQLException("duplicate key value", PSQLState.UNIQUE_VIOLATION));

        assertThat(DatabaseFailure.isBadData(violation)).isTrue();
        assertThat(DatabaseFailure.isTransient(violation)).isFalse();
    }

    @Test
    void aSchemaErrorIsNeither() {
        PSQLException missingColumn = new PSQLException("column \"x\" does not exist", PSQLState.UNDEFINED_COLUMN);

        assertThat(DatabaseFailure.isTransient(missingColumn)).isFalse();
        assertThat(DatabaseFailure.isBadData(missingColumn)).isFalse();
    }
}
