package io.feedsync.run;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session-level PostgreSQL advisory lock on one feed, held on its own connection for as long as
 * the run lasts. If the node dies, PostgreSQL ends the session and the lock is free again, which
 * is how a run left RUNNING is recognised as abandoned.
 */
public final class FeedLock implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FeedLock.class);

    private final Connection connection;
    private final String feed;
    private boolean released;

    FeedLock(Connection connection, String feed) {
        this.connection = connection;
        this.feed = feed;
    }

    /** Tries to lock the feed without waiting; an empty result means another session holds it. */
    static FeedLock tryAcquire(Connection connection, String feed) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(FeedLocks.TRY_LOCK)) {
            lock.setString(1, feed);
            try (var result = lock.executeQuery()) {
                result.next();
                if (result.getBoolean(1)) {
                    return new FeedLock(connection, feed);
                }
            }
        }
        connection.close();
        return null;
    }

    @Override
    public synchronized void close() {
        if (released) {
            return;
        }
        released = true;
        try (PreparedStatement unlock = connection.prepareStatement(FeedLocks.UNLOCK)) {
            unlock.setString(1, feed);
            unlock.execute();
        } catch (SQLException e) {
            log.warn("Could not release the lock of feed {} ({}); closing its session frees it", feed, e.getMessage());
        } finally {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the pool discards a broken connection, and the lock goes with its session
            }
        }
    }
}
