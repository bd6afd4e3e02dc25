package io.feedsync.ops;

import java.io.IOException;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.feedsync.FeedsyncApplication;
import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** /actuator/health turns DOWN, naming the database, when PostgreSQL goes away — and answers promptly. */
class DatabaseHealthTest {

    /**
     * One PostgreSQL and one application for both checks (each a PostgreSQL start and an application
     * start of its own before): the scrape right after PostgreSQL went away, then health once the
     * pool has seen it gone.
     */
    @Test
    void healthIsDownAndMetricsReadFromTheDatabaseAreNaNAndPromptWhenItIsGone() throws IOException {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        try (FakeUpstream upstream = FakeUpstream.start();
             ConfigurableApplicationContext app = start(postgres, upstream)) {
            Api api = new Api(Integer.parseInt(app.getEnvironment().getProperty("local.server.port")));
            assertThat(api.as(Api.anonymous()).get("/actuator/health").status()).isEqualTo(200);
            assertThat(api.as(Api.bearer(Api.VIEWER_KEY)).get("/actuator/prometheus").raw().body())
                    .containsPattern("(?m)^feedsync_dead_letters\\{[^}]*feed=\"plans\"[^}]*} 0");

            postgres.close();

            // metrics: NaN, and promptly
            long start = System.nanoTime();
            Api.Answer scrape = api.as(Api.bearer(Api.VIEWER_KEY)).get("/actuator/prometheus");
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("one wait for a connection per gauge kind, not one per feed").isLessThan(Duration.ofSeconds(10));
            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.raw().body())
                    .containsPattern("(?m)^feedsync_dead_letters\\{[^}]*feed=\"plans\"[^}]*} NaN")
                    .containsPattern("(?m)^feedsync_feed_stale\\{[^}]*feed=\"plans\"[^}]*} NaN");

            // health: DOWN, naming the database, and promptly
            await().atMost(Duration.ofSeconds(30)).until(() -> api.as(Api.anonymous()).get("/actuator/health").status() == 503);
            start = System.nanoTime();
            Api.Answer detailed = api.as(Api.bearer(Api.VIEWER_KEY)).get("/actuator/health");
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("one wait for a connection, not one per feed").isLessThan(Duration.ofSeconds(10));
            assertThat(detailed.json().get("status").asText()).isEqualTo("DOWN");
            assertThat(detailed.json().get("components").get("db").get("status").asText()).isEqualTo("DOWN");
        } finally {
            postgres.close();
        }
    }

    /** The test application on {@code postgres}, waiting at most a second for a connection. */
    private static ConfigurableApplicationContext start(EmbeddedPostgres postgres, FakeUpstream upstream) {
        return new SpringApplicationBuilder(FeedsyncApplication.class)
                .profiles("test")
                .run("--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                        "--spring.datasource.username=postgres",
                        "--spring.datasource.hikari.connection-timeout=1000",
                        "--test.upstream=" + upstream.url(""),
                        "--server.port=0");
    }
}
