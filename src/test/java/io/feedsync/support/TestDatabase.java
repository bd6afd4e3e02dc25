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
                        try {
                            postgres.close();
                        } catch (IOException ignored) {
                            // the JVM is going away
                        }
                    }));
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
