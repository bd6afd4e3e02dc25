package io.feedsync.cli;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.util.FileSystemUtils;

import io.feedsync.support.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ctrl-C on {@code feedsync run <feed>} cancels the run, in a JVM of its own as a shell runs it: the run
 * waits 5 to 10 minutes before its next attempt against a dead port, and SIGINT ends it at once —
 * its row CANCELLED (resumable), its one result line printed, exit 130 as for any process ended by
 * SIGINT. Before, the run went on retrying through the shutdown and its row was never CANCELLED.
 */
class CommandLineCancelTest {

    /**
     * Ctrl-C's SIGINT, unless this JVM was started with SIGINT ignored (a build started in the
     * background by a non-interactive shell): its children inherit that, and a JVM never handles a
     * signal it was started ignoring. Then SIGTERM, which takes the same path (exit 143).
     */
    private static final String SIGNAL = sigintIgnored() ? "TERM" : "INT";

    private static boolean sigintIgnored() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(line -> line.startsWith("SigIgn:"))
                    .anyMatch(line -> (Long.parseLong(line.substring(7).trim(), 16) & (1L << 1)) != 0);
        } catch (java.io.IOException | RuntimeException unknown) {
            return false;
        }
    }

    @Test
    void ctrlCCancelsTheRunPrintsItsLineAndExits130() throws Exception {
        String database = TestDatabase.fresh("feedsync_cli_cancel");
        Path workDir = Files.createTempDirectory("feedsync-cli-cancel");
        try {
            List<String> command = new ArrayList<>(List.of(
                    System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                    "-Xmx256m", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), "io.feedsync.FeedsyncApplication",
                    "run", "epa-clients", "--spring.datasource.url=" + database,
                    "--spring.datasource.username=" + TestDatabase.username(),
                    "--spring.datasource.password=" + TestDatabase.password(),
                    "--feedsync.feeds.epa-clients.source.url=http://127.0.0.1:9/unreachable",
                    "--feedsync.feeds.epa-clients.source.retry.max-attempts=6",
                    "--feedsync.feeds.epa-clients.source.retry.initial-backoff=10m",
                    "--feedsync.feeds.epa-clients.source.retry.max-backoff=10m"));
            Path out = workDir.resolve("out.txt");
            Path err = workDir.resolve("err.txt");
            Process process = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try {
                JdbcTemplate db = new JdbcTemplate(new DriverManagerDataSource(TestDatabase.withOwnSchema(database),
                        TestDatabase.username(), TestDatabase.password()));
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> "RUNNING".equals(db.queryForObject("select status from sync_run", String.class)));
                // its first attempt failed (a refused connection fails at once) and it waits 10 minutes to
                // retry: it says so on standard error just before the wait (rather than a fixed 1.5 s pause)
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                        .until(() -> Files.readString(err, StandardCharsets.UTF_8).contains("; retrying in "));

                Instant interrupted = Instant.now();
                new ProcessBuilder("kill", "-" + SIGNAL, String.valueOf(process.pid())).start().waitFor();

                boolean ended = process.waitFor(30, TimeUnit.SECONDS);
                if (!ended) {
                    // what it was doing, into its stderr
                    new ProcessBuilder("kill", "-QUIT", String.valueOf(process.pid())).start().waitFor();
                    Thread.sleep(1000);
                }
                assertThat(ended).as("ended after Ctrl-C; its output:%n%s%n%s", Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8)).isTrue();
                assertThat(Duration.between(interrupted, Instant.now())).isLessThan(Duration.ofSeconds(15));
                String errors = Files.readString(err, StandardCharsets.UTF_8);
                assertThat(process.exitValue()).as(errors).isEqualTo(SIGNAL.equals("INT") ? 130 : 143);
                List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
                assertThat(lines).as(errors).hasSize(1);
                assertThat(lines.get(0)).startsWith("feed epa-clients run 1 CANCELLED: pages=0")
                        .endsWith("error=TRANSIENT: cancelled: the command line was interrupted; the run stopped after page 0");
                Map<String, Object> row = db.queryForMap(
                        "select status, error_class, cancel_requested_by, cancel_requested_at is not null as asked from sync_run");
                assertThat(row).containsEntry("status", "CANCELLED").containsEntry("error_class", "TRANSIENT")
                        .containsEntry("cancel_requested_by", "cli").containsEntry("asked", true);
            } finally {
                process.destroyForcibly();
            }
        } finally {
            FileSystemUtils.deleteRecursively(workDir.toFile());
        }
    }
}
