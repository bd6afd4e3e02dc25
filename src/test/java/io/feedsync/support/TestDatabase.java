package io.feedsync.support;

import java.io.IOException;
import java.io.UncheckedIOException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The one PostgreSQL of a test JVM: an embedded server started on first use, or the server named
 * by {@code FEEDSYNC_TEST_DATABASE_URL} (with {@code _USERNAME} and {@code _PASSWORD}) if set.
 */
public final class TestDatabase {

    private static String url;
    private static String username;
    private static String password;

    private TestDatabase() {
    }

    public static synchronized String url() {
        if (url == null) {
            String external = System.getenv("FEEDSYNC_TEST_DATABASE_URL");
            if (external != null && !external.isBlank()) {
                url = external;
                username = System.getenv().getOrDefault("FEEDSYNC_TEST_DATABASE_USERNAME", "postgres");
                password = System.getenv().getOrDefault("FEEDSYNC_TEST_DATABASE_PASSWORD", "");
            } else {
                try {
                    EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        afterTheApplicationsClosed();
                        try {
                            postgres.close();
                        } catch (IOException ignored) {
                            // the JVM is going away
                        }
                    }, "feedsync-test-database-stop"));
                    url = postgres.getJdbcUrl("postgres", "postgres");
                    username = "postgres";
                    password = "";
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return url;
    }

    /**
     * Waits (at most 20 s) for Spring Boot's shutdown hook, which closes the applications the tests
     * left cached. The JVM runs its shutdown hooks all at once: stopped under them, the database left
     * each of their pools retrying to connect while it closed, and surefire killed the test JVM after
     * 30 s of that ("Surefire is going to kill self fork JVM", at the end of every full run).
     */
    private static void afterTheApplicationsClosed() {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("SpringApplicationShutdownHook")) {
                try {
                    thread.join(java.time.Duration.ofSeconds(20).toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * {@code url} for a connection of the test's own that reads feedsync's tables unqualified, as
     * feedsync's connections do (its pool puts schema {@code feedsync} first on the search path).
     */
    public static String withOwnSchema(String url) {
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=feedsync,public";
    }

    /** A connection of the test's own to the test database, feedsync's schema first. */
    public static java.sql.Connection connect() throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection(withOwnSchema(url()), username(), password());
    }

    /**
     * A new, empty database {@code name} on the test server (dropped first if it is there), for a
     * test that needs a database of its own: its JDBC URL.
     */
    public static String fresh(String name) throws java.sql.SQLException {
        try (java.sql.Connection db = java.sql.DriverManager.getConnection(url(), username, password);
             java.sql.Statement sql = db.createStatement()) {
            sql.execute("drop database if exists " + name + " with (force)");
            sql.execute("create database " + name);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(jdbc:postgresql://[^/]+/)([^?]*)(.*)").matcher(url);
        if (!m.matches()) {
            throw new IllegalStateException("unexpected database URL shape");
        }
        return m.group(1) + name + m.group(3);
    }

    public static void register(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestDatabase::url);
        registry.add("spring.datasource.username", () -> username);
        registry.add("spring.datasource.password", () -> password);
    }

    public static String username() {
        url();
        return username;
    }

    public static String password() {
        url();
        return password;
    }
}
