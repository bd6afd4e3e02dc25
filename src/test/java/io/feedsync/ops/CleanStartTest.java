package io.feedsync.ops;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import io.feedsync.FeedsyncApplication;
import io.feedsync.support.Api;
import io.feedsync.support.LeastPrivilegeDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A normal start — the bundled sample feed, keys configured, a new database owned by a role that is no
 * superuser — logs no warning and no error, so that an operator who sees one knows it means something.
 */
@ExtendWith(OutputCaptureExtension.class)
class CleanStartTest {

    @Test
    void aNormalStartAndItsFirstRunLogNoWarningOrError(CapturedOutput output) throws Exception {
        String database = LeastPrivilegeDatabase.fresh("feedsync_clean_start");
        int port;
        // a real port: the sample feed fetches its export from feedsync's own server.port
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(FeedsyncApplication.class)
                .profiles("demo")
                .run("--spring.datasource.url=" + database,
                        "--spring.datasource.username=" + LeastPrivilegeDatabase.ROLE,
                        "--spring.datasource.password=" + LeastPrivilegeDatabase.PASSWORD,
                        "--server.port=" + port,
                        "--feedsync.security.api-keys.ops-bot.key=" + Api.OPERATOR_KEY,
                        "--feedsync.security.console-users.admin.password=" + Api.CONSOLE_PASSWORD)) {
            Api api = new Api(port);
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    "SUCCEEDED".equals(api.get("/api/feeds").json().at("/0/lastRun/status").asText()));

            List<String> problems = output.getAll().lines()
                    .filter(line -> line.contains(" WARN ") || line.contains(" ERROR ") || line.contains("FATAL"))
                    .toList();
            assertThat(problems).isEmpty();
            assertThat(output.getAll()).doesNotContain("skipping").doesNotContain("Failed to set up");
        }
        assertThat(System.getProperty("java.class.path"))
                .as("spring-jcl serves commons-logging; the jar itself warns at startup").doesNotContain("commons-logging");
    }
}
