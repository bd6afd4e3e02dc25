package io.feedsync.run;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import io.feedsync.config.StoredFeeds;

/**
 * Listens for changes of API-defined feeds ({@code LISTEN} on {@link StoredFeeds#CHANNEL}) on a
 * connection of its own, outside the pool, and has {@link DefinedFeeds} follow each one as it is
 * announced. After (re)connecting it follows all of them, so that nothing announced while it was
 * away is missed; the periodic reconcile (routes/feed-definitions.yaml) covers the rest.
 */
@Component
public class DefinitionChanges implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(DefinitionChanges.class);
    private static final int WAIT_MILLIS = 1000;
    private static final Duration RECONNECT_AFTER = Duration.ofSeconds(5);
    /** The order of {@link #start} among the listeners of {@link ApplicationReadyEvent}: first. */
    public static final int FOLLOW_FIRST = Ordered.HIGHEST_PRECEDENCE + 100;

    private final DataSource dataSource;
    private final DefinedFeeds feeds;
    private final boolean listen;
    private volatile boolean listening;
    private Thread listener;

    public DefinitionChanges(DataSource dataSource, DefinedFeeds feeds,
                             @Value("${feedsync.definitions.listen:true}") boolean listen) {
        this.dataSource = dataSource;
        this.feeds = feeds;
        this.listen = listen;
    }

    /**
     * Follows every API feed once the node is up — before anything else that acts on the feeds once it
     * is ready ({@link StartupRuns}, the command line's run) — then each change as it is announced, unless
     * {@code feedsync.definitions.listen} is false (several applications in one JVM, as in tests):
     * then the node keeps the definitions it started with and those changed through its own API.
     */
    @EventListener(ApplicationReadyEvent.class)
    @Order(FOLLOW_FIRST)
    public synchronized void start() {
        try {
            feeds.reconcile();
        } catch (RuntimeException e) {
            // the database is away: the listener (or the periodic reconcile) follows them once it is back
            log.warn("Could not load the feeds defined over the API yet ({}); trying again shortly", e.getMessage());
        }
        if (!listen) {
            return;
        }
        listening = true;
        listener = new Thread(this::listen, "feedsync-definition-changes");
        listener.setDaemon(true);
        listener.start();
    }

    @Override
    public synchronized void destroy() throws InterruptedException {
        listening = false;
        if (listener != null) {
            listener.interrupt();
            listener.join(WAIT_MILLIS * 2L);
        }
    }

    private void listen() {
        while (listening) {
            try (Connection connection = connect()) {
                try (Statement listen = connection.createStatement()) {
                    listen.execute("listen " + StoredFeeds.CHANNEL);
                }
                feeds.reconcile();
                PGConnection notifications = connection.unwrap(PGConnection.class);
                while (listening) {
                    PGNotification[] changes = notifications.getNotifications(WAIT_MILLIS);
                    for (PGNotification change : changes == null ? new PGNotification[0] : changes) {
                        follow(change.getParameter());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (listening) {
                    log.warn("Not listening for feed definition changes ({}); trying again in {} s", e.getMessage(),
                            RECONNECT_AFTER.toSeconds());
                    pause();
                }
            }
        }
    }

    private void follow(String feed) {
        try {
            feeds.reconcile(feed);
        } catch (RuntimeException e) {
            log.warn("Feed {}: could not follow its change yet ({}); the next reconcile tries again", feed, e.getMessage());
        }
    }

    /** A connection of the pool's database and user, but not of the pool: it is held as long as the node runs. */
    private Connection connect() throws SQLException {
        HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
        Connection connection = DriverManager.getConnection(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword());
        connection.setAutoCommit(true);
        return connection;
    }

    private void pause() {
        try {
            Thread.sleep(RECONNECT_AFTER.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            listening = false;
        }
    }
}
