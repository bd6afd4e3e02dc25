package io.feedsync.demo;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.feedsync.FeedsyncApplication;
import io.feedsync.support.Api;
import io.feedsync.support.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The demo profile's sample feed fetches its export from this node's own port, also when the port is
 * left to the system ({@code server.port=0}): its startup run succeeds.
 */
class DemoFeedOnAnyPortTest {

    @Test
    void theSampleFeedsStartupRunSucceedsOnAPortTheSystemChose() throws Exception {
        String database = TestDatabase.fresh("feedsync_demo_port_zero");
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(FeedsyncApplication.class)
                .profiles("demo")
                .run("--spring.datasource.url=" + database,
                        "--spring.datasource.username=" + TestDatabase.username(),
                        "--spring.datasource.password=" + TestDatabase.password(),
                        "--server.port=0",
                        "--feedsync.security.api-keys.ops-bot.key=" + Api.OPERATOR_KEY,
                        "--feedsync.security.console-users.admin.password=" + Api.CONSOLE_PASSWORD)) {
            int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
            Api api = new Api(port).as(Api.bearer(Api.OPERATOR_KEY));

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                String status = api.get("/api/feeds/epa-clients/runs").json().at("/0/status").asText();
                return !status.isEmpty() && !"QUEUED".equals(status) && !"RUNNING".equals(status);
            });

            JsonNode run = api.get("/api/feeds/epa-clients/runs").json().get(0);
            assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
            assertThat(run.at("/counts/fetched").asLong()).as("the sample export's 24 clients").isEqualTo(24);
        }
    }
}
