package io.feedsync.run;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * A session-level PostgreSQL advisory lock on one feed, held on its own connection for as long as
 * the run lasts. If the node dies, PostgreSQL ends the session and the lock is free again, which
 * is how a run left RUNNING is recognised as abandoned.
 */
public final class FeedLock implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FeedLock.class);
    private static final int IS_VALID_TIMEOUT_SECONDS = 10;
    /** PostgreSQL's lock_not_available: lock_timeout ran out. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private final Connection connection;
    private final String feed;
    private boolean unlocked;
    private boolean closed;
    private boolean finishing;

    private FeedLock(Connection connection, String feed) {
        this.connection = connection;
        this.feed = feed;
    }

    /** Tries to lock the feed without waiting; {@code null} means another session holds it. */
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

    /**
     * Locks the feed, waiting at most {@code millis} for whoever holds it (PostgreSQL's
     * {@code lock_timeout}); {@code null} means it was still held then.
     */
    static FeedLock acquireWithin(Connection connection, String feed, long millis) throws SQLException {
        try (PreparedStatement timeout = connection.prepareStatement("select set_config('lock_timeout', ?, false)");
             PreparedStatement lock = connection.prepareStatement(FeedLocks.LOCK)) {
            timeout.setString(1, millis + "ms");
            timeout.execute();
            lock.setString(1, feed);
            lock.execute();
            return new FeedLock(connection, feed);
        } catch (SQLException e) {
            if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                throw e;
            }
            connection.close();
            return null;
        } finally {
            if (!connection.isClosed()) {
                try (PreparedStatement reset = connection.prepareStatement("reset lock_timeout")) {
                    reset.execute();
                }
            }
        }
    }

    /**
     * Opens the run's final transaction on the lock's own session: what a successful run does last
     * (its soft-deletes and miss counts) is written in it, and {@link #releaseAfter} commits it with
     * the run's final row, or {@link #discardFinalWrites} takes it back when the run fails instead.
     */
    public synchronized JdbcTemplate finalTransaction() {
        if (closed) {
            throw new FeedLockLostException(feed);
        }
        try {
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            throw new FeedLockLostException(feed);
        }
        finishing = true;
        return session();
    }

    /** Takes back what the final transaction wrote so far (a run that fails at its last step keeps none of it). */
    public synchronized void discardFinalWrites() {
        if (!finishing || closed) {
            return;
        }
        finishing = false;
        try {
            connection.rollback();
        } catch (SQLException e) {
            log.warn("Could not roll back the final writes of feed {} ({}); closing its session does", feed, e.getMessage());
            close();
        }
    }

    /**
     * Writes the run's final row and releases the lock in one transaction on the lock's own
     * session (with what the final transaction already holds). The lock is free before the final
     * row is visible, so whoever sees the run finished can start the next one; a node that takes
     * the lock in between waits for the row and finds it no longer RUNNING.
     */
    public synchronized void releaseAfter(Consumer<JdbcTemplate> finalWrite) {
        if (closed) {
            throw new FeedLockLostException(feed);
        }
        try {
            connection.setAutoCommit(false);
            finalWrite.accept(session());
            unlock();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the session is broken; closing it below frees the lock
            }
            throw e instanceof RuntimeException runtime ? runtime
                    : new IllegalStateException("could not finish the run of feed " + feed, e);
        } finally {
            finishing = false;
            close();
        }
    }

    private JdbcTemplate session() {
        return new JdbcTemplate(new SingleConnectionDataSource(connection, true));
    }

    /** Whether the lock's session is still there (and so the lock): one round trip to PostgreSQL. */
    public synchronized boolean isHeld() {
        try {
            return !closed && connection.isValid(IS_VALID_TIMEOUT_SECONDS);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            connection.setAutoCommit(true);
            if (!unlocked) {
                unlock();
            }
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

    private void unlock() throws SQLException {
        try (PreparedStatement unlock = connection.prepareStatement(FeedLocks.UNLOCK)) {
            unlock.setString(1, feed);
            unlock.execute();
        }
        unlocked = true;
    }
}
