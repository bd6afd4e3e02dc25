package io.feedsync.run;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

import javax.sql.DataSource;

import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.stereotype.Component;

/** Hands out the one-run-per-feed advisory locks, shared by every node on the database. */
@Component
public class FeedLocks {

    /** All feedsync locks share the first key ('fdsy'), so they never collide with other advisory locks. */
    static final String TRY_LOCK = "select pg_try_advisory_lock(1717859193, hashtext(?))";
    static final String UNLOCK = "select pg_advisory_unlock(1717859193, hashtext(?))";

    private final DataSource dataSource;

    public FeedLocks(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<FeedLock> tryLock(String feed) {
        Connection connection;
        try {
            connection = dataSource.getConnection();
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            throw new CannotGetJdbcConnectionException("Could not get a connection to lock feed " + feed, e);
        }
        try {
            return Optional.ofNullable(FeedLock.tryAcquire(connection, feed));
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
