package io.feedsync.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.feedsync.support.ExternalTools;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker/prometheus/alerts.yml is valid for Prometheus (promtool check rules), each alert fires on
 * the series that should raise it and stays quiet otherwise (promtool test rules, with
 * docker/prometheus/alerts.test.yml), and prometheus.yml is a valid configuration. Skipped loudly
 * without promtool (Debian's prometheus package).
 */
class PrometheusFilesTest {

    private static final Path RULES = ObservabilityFilesTest.projectFile("docker/prometheus/alerts.yml");
    private static final Path RULE_TESTS = ObservabilityFilesTest.projectFile("docker/prometheus/alerts.test.yml");
    private static final Path CONFIG = ObservabilityFilesTest.projectFile("docker/prometheus/prometheus.yml");

    @Test
    void alertRulesAreValid() throws Exception {
        Result check = promtool("check", "rules", RULES.toString());

        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 5 rules found");
    }

    @Test
    void eachAlertFiresWhenItShouldAndOnlyThen() throws Exception {
        Result test = promtool("test", "rules", RULE_TESTS.toString());

        assertThat(test.exitCode()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void theRuleTestsFailWhenAnAlertIsBroken(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("alerts.yml"), Files.readString(RULES)
                .replace("feedsync_drift_records > 10", "feedsync_drift_records > 20"));
        Files.copy(RULE_TESTS, dir.resolve("alerts.test.yml"));

        Result test = promtool("test", "rules", dir.resolve("alerts.test.yml").toString());

        assertThat(test.exitCode()).isNotZero();
        assertThat(test.output()).contains("FAILED").contains("alertname: FeedsyncDriftHigh");
    }

    @Test
    void prometheusConfigurationIsValid(@TempDir Path dir) throws Exception {
        // the key file exists only inside the compose service: a stand-in takes its place here
        Path keyFile = Files.writeString(dir.resolve("viewer-key"), "a-viewer-key-for-the-check");
        String config = Files.readString(CONFIG);
        assertThat(config).contains("credentials_file: /prometheus/feedsync-viewer-key");
        Files.writeString(dir.resolve("prometheus.yml"),
                config.replace("/prometheus/feedsync-viewer-key", keyFile.toString()));
        Files.copy(RULES, dir.resolve("alerts.yml"));

        Result check = promtool("check", "config", dir.resolve("prometheus.yml").toString());

        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 1 rule files found");
    }

    private record Result(int exitCode, String output) {
    }

    private static Result promtool(String... args) throws IOException, InterruptedException {
        Path promtool = ExternalTools.requireOnPath("promtool", "apt-get install prometheus");
        String[] command = new String[args.length + 1];
        command[0] = promtool.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        return new Result(process.exitValue(), output);
    }
}
