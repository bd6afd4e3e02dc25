package io.feedsync.run;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Hands out the one-run-per-feed advisory locks, shared by every node on the database. */
@Component
public class FeedLocks {

    /** All feedsync locks share the first key ('fdsy'), so they never collide with other advisory locks. */
    static final String TRY_LOCK = "select pg_try_advisory_lock(1717859193, hashtext(?))";
    static final String LOCK = "select pg_advisory_lock(1717859193, hashtext(?))";
    static final String UNLOCK = "select pg_advisory_unlock(1717859193, hashtext(?))";
    /** The same lock, held until the end of the transaction that takes it. */
    static final String TRY_LOCK_IN_TRANSACTION = "select pg_try_advisory_xact_lock(1717859193, hashtext(?))";

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;

    public FeedLocks(DataSource dataSource, JdbcTemplate jdbc, PlatformTransactionManager transactions) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.transaction = new TransactionTemplate(transactions);
    }

    /**
     * Runs {@code work} in one transaction that holds the feed's lock (the lock a run holds for its whole
     * length) until it commits; empty, and {@code work} not run, if a run or another admission holds it.
     * One pooled connection for the lock and the work: a burst of timer fires admitting their runs at
     * once cannot take every connection of the pool for locks and then wait for more.
     */
    public <T> Optional<T> whileLocked(String feed, Supplier<T> work) {
        return transaction.execute(status -> Boolean.TRUE.equals(
                jdbc.queryForObject(TRY_LOCK_IN_TRANSACTION, Boolean.class, feed)) ? Optional.of(work.get()) : Optional.empty());
    }

    public Optional<FeedLock> tryLock(String feed) {
        return lock(feed, connection -> FeedLock.tryAcquire(connection, feed));
    }

    /** Locks the feed, waiting up to {@code wait} for a run that holds it to end; empty if it did not. */
    public Optional<FeedLock> lockWithin(String feed, Duration wait) {
        return lock(feed, connection -> FeedLock.acquireWithin(connection, feed, wait.toMillis()));
    }

    private interface Acquire {
        FeedLock on(Connection connection) throws SQLException;
    }

    private Optional<FeedLock> lock(String feed, Acquire acquire) {
        Connection connection;
        try {
            connection = dataSource.getConnection();
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            throw new CannotGetJdbcConnectionException("Could not get a connection to lock feed " + feed, e);
        }
        try {
            return Optional.ofNullable(acquire.on(connection));
        } catch (SQLException e) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // reported below
            }
            throw new CannotGetJdbcConnectionException("Could not lock feed " + feed, e);
        }
    }
}
