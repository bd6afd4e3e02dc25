package io.feedsync.run;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

import javax.sql.DataSource;

import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.stereotype.Component;

/** Hands out the one-run-per-feed advisory locks, shared by every node on the database. */
@Component
public class FeedLocks {

    /** All feedsync locks share the first key ('fdsy'), so they never collide with other advisory locks. */
    static final String TRY_LOCK = "select pg_try_advisory_lock(1717859193, hashtext(?))";
    static final String LOCK = "select pg_advisory_lock(1717859193, hashtext(?))";
    static final String UNLOCK = "select pg_advisory_unlock(1717859193, hashtext(?))";

    private final DataSource dataSource;

    public FeedLocks(DataSource dataSource) {
        this.dataSource = dataSource;
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
