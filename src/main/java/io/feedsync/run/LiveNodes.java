package io.feedsync.run;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.stereotype.Component;

/**
 * Tells the runs a node queued from those a node that died left behind. While it lives, a node
 * holds a session-level advisory lock on its own id ({@link #id()}, unique to this life of the
 * node) on a connection of its own, outside the pool, so that the pool the runs need is not one
 * connection smaller for it. When the node dies PostgreSQL ends the session and the lock goes:
 * {@link #DEAD} then matches its QUEUED rows. The lock is taken the first time the node queues a run,
 * and taken again on a new session if the database restarted meanwhile.
 */
@Component
public class LiveNodes {

    /** The advisory lock key space of node ids; feed locks use 1717859193 (see {@link FeedLocks}). */
    static final int NODE_KEY = 1717859194;

    /** SQL condition on a {@code sync_run} row: no live node holds the lock of the node that queued it. */
    static final String DEAD = """
            not exists (select 1 from pg_locks l where l.locktype = 'advisory' and l.granted
                           and l.classid = %d and l.objid = hashtext(sync_run.queued_by)::oid and l.objsubid = 2)"""
            .formatted(NODE_KEY);

    private static final Logger log = LoggerFactory.getLogger(LiveNodes.class);

    private final String id = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();
    private final DataSource dataSource;
    private Connection session;

    public LiveNodes(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** This node's id, its lock held (taken now if it was not): what a QUEUED row records as queued_by. */
    public synchronized String id() {
        try {
            if (session == null || !session.isValid(5)) {
                close();
                session = connect();
                try (PreparedStatement lock = session.prepareStatement("select pg_advisory_lock(?, hashtext(?))")) {
                    lock.setInt(1, NODE_KEY);
                    lock.setString(2, id);
                    lock.execute();
                }
            }
            return id;
        } catch (SQLException e) {
            close();
            throw new CannotGetJdbcConnectionException("Could not mark this node live in the database", e);
        }
    }

    private Connection connect() throws SQLException {
        if (dataSource instanceof HikariDataSource hikari && hikari.getJdbcUrl() != null) {
            Connection connection = DriverManager.getConnection(hikari.getJdbcUrl(), hikari.getUsername(),
                    hikari.getPassword());
            connection.setAutoCommit(true);
            return connection;
        }
        log.info("The datasource is not a Hikari pool: this node's liveness lock takes one of its connections");
        return dataSource.getConnection();
    }

    @PreDestroy
    public synchronized void close() {
        if (session != null) {
            try {
                session.close();
            } catch (SQLException ignored) {
                // the lock goes with the session
            }
            session = null;
        }
    }
}
