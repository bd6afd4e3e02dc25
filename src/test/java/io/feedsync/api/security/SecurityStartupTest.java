package io.feedsync.api.security;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import io.feedsync.support.Api;
import io.feedsync.support.StartupCheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keys are checked at startup; with none, a random operator key is generated and logged once. */
@ExtendWith(OutputCaptureExtension.class)
class SecurityStartupTest {

    @Test
    void shortKeyStopsStartupWithOneLineNamingIt(CapturedOutput output) {
        assertThatThrownBy(() -> start("--feedsync.security.api-keys.ci.key=short-key-15chr",
                "--feedsync.security.api-keys.ci.role=operator").close())
                .hasRootCauseInstanceOf(SecurityConfigException.class);
        assertThat(output.getAll())
                .contains("Invalid security configuration: feedsync.security.api-keys.ci.key: is shorter than 16 characters")
                .doesNotContain("short-key-15chr");
    }

    @Test
    void unknownRoleStopsStartup(CapturedOutput output) {
        assertThatThrownBy(() -> start("--feedsync.security.api-keys.ci.key=a-long-enough-key-0123",
                "--feedsync.security.api-keys.ci.role=admin").close())
                .hasRootCauseInstanceOf(SecurityConfigException.class);
        assertThat(output.getAll())
                .contains("feedsync.security.api-keys.ci.role: unknown role 'admin' (expected one of viewer, operator)");
    }

    @Test
    void aScopedKeyNamingSomethingThatIsNoFeedNameStopsStartup(CapturedOutput output) {
        assertThatThrownBy(() -> start("--feedsync.security.api-keys.ci.key=a-long-enough-key-0123",
                "--feedsync.security.api-keys.ci.role=operator", "--feedsync.security.api-keys.ci.feeds[0]=partners",
                "--feedsync.security.api-keys.ci.feeds[1]=Partners!").close())
                .hasRootCauseInstanceOf(SecurityConfigException.class);
        assertThat(output.getAll())
                .contains("feedsync.security.api-keys.ci.feeds: 'Partners!' is not a feed name ([a-z0-9-]+)");
    }

    @Test
    void aKeyScopedBySomethingThatIsNoTagStopsStartupRatherThanSeeEveryFeed(CapturedOutput output) {
        assertThatThrownBy(() -> start("--feedsync.security.api-keys.ci.key=a-long-enough-key-0123",
                "--feedsync.security.api-keys.ci.role=viewer", "--feedsync.security.api-keys.ci.tags[0]=nightly",
                "--feedsync.security.api-keys.ci.tags[1]=Night Shift").close())
                .hasRootCauseInstanceOf(SecurityConfigException.class);
        assertThat(output.getAll()).contains("feedsync.security.api-keys.ci.tags: 'Night Shift' is not a tag");
    }

    @Test
    void aScopedKeyWithAnEmptyListOfFeedsStopsStartupRatherThanSeeAllOrNothing(CapturedOutput output) {
        assertThatThrownBy(() -> start("--feedsync.security.api-keys.ci.key=a-long-enough-key-0123",
                "--feedsync.security.api-keys.ci.role=viewer", "--feedsync.security.api-keys.ci.feeds=").close())
                .hasRootCauseInstanceOf(SecurityConfigException.class);
        assertThat(output.getAll()).contains("feedsync.security.api-keys.ci.feeds: names nothing");
    }

    @Test
    void withoutKeysAGeneratedOperatorKeyIsLoggedOnceAndWorks(CapturedOutput output) throws Exception {
        Path keyFile = Files.createTempDirectory("feedsync-key").resolve("generated-api-key");
        try (ConfigurableApplicationContext app = start("--feedsync.security.generated-key-file=" + keyFile)) {
            Matcher generated = Pattern.compile("Using generated operator API key: (\\S+)").matcher(output.getAll());
            assertThat(generated.find()).isTrue();
            String key = generated.group(1);
            assertThat(generated.find()).as("logged once").isFalse();
            assertThat(output.getAll()).containsPattern("WARN .*ApiKeys");
            Api api = new Api(Integer.parseInt(app.getEnvironment().getProperty("local.server.port")));
            assertThat(api.as(Api.anonymous()).get("/api/feeds").status()).isEqualTo(401);
            assertThat(api.as(Api.bearer(key)).get("/api/feeds").status()).isEqualTo(200);
            assertThat(api.as(Api.bearer(key)).post("/api/feeds/nope/runs", "{}").status()).as("operator").isEqualTo(404);
            assertThat(api.as(Api.basic("generated", key)).get("/actuator/hawtio/").status())
                    .as("the console takes the key as the password of user 'generated'").isEqualTo(200);
            assertThat(api.as(Api.basic("admin", key)).get("/actuator/hawtio/").status()).isEqualTo(401);
        }
    }

    @Test
    void theGeneratedKeySurvivesARestartOnTheSameFolderAndIsNotLoggedAgain(CapturedOutput output) throws Exception {
        Path keyFile = Files.createTempDirectory("feedsync-key").resolve("generated-api-key");
        String key;
        try (ConfigurableApplicationContext first = start("--feedsync.security.generated-key-file=" + keyFile)) {
            Matcher generated = Pattern.compile("Using generated operator API key: (\\S+)").matcher(output.getAll());
            assertThat(generated.find()).isTrue();
            key = generated.group(1);
        }
        assertThat(Files.getPosixFilePermissions(keyFile)).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        int loggedBefore = output.getAll().length();

        try (ConfigurableApplicationContext again = start("--feedsync.security.generated-key-file=" + keyFile)) {
            String restartLog = output.getAll().substring(loggedBefore);
            assertThat(restartLog).doesNotContain(key).contains("Using the generated operator API key saved in "
                    + keyFile.toAbsolutePath());
            Api api = new Api(Integer.parseInt(again.getEnvironment().getProperty("local.server.port")));
            assertThat(api.as(Api.bearer(key)).get("/api/feeds").status()).isEqualTo(200);
        }
    }

    private static ConfigurableApplicationContext start(String... extra) {
        return StartupCheck.start(extra);
    }
}
