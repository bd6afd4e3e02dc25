package io.feedsync.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.util.FileSystemUtils;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.LeastPrivilegeDatabase;
import io.feedsync.support.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line in a JVM of its own, as cron runs it: standard output carries the one result
 * line and nothing else, a superuser connection is warned about once on standard error, and a
 * running feedsync's embedded database is used, not fought over. (Beside a running server, on the
 * embedded database it started, and listening on no port: {@code EmbeddedDatabaseSecurityTest}.)
 */
class CommandLineOutputTest {

    private static final String PLANS_RESULT =
            "feed plans run \\d+ SUCCEEDED: pages=2 fetched=6 inserted=6 updated=0 unchanged=0 deleted=0 deadLettered=0 watermark=null";

    private static final FakeUpstream upstream = FakeUpstream.start();
    private Path workDir;

    @BeforeEach
    void workDir() throws IOException {
        workDir = Files.createTempDirectory("feedsync-cli");
        upstream.reset();
        upstream.dataset("plans", FakeUpstream.plans(6, "v1"));
    }

    @AfterEach
    void cleanUp() {
        FileSystemUtils.deleteRecursively(workDir.toFile());
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @Test
    void aRunPrintsOneLineAndNothingElseAsARoleThatIsNoSuperuser() throws Exception {
        String database = LeastPrivilegeDatabase.fresh("feedsync_cli_plans");

        Result result = cli("run", "plans", "--spring.profiles.active=test", "--test.upstream=" + upstream.url(""),
                "--spring.datasource.url=" + database, "--spring.datasource.username=" + LeastPrivilegeDatabase.ROLE,
                "--spring.datasource.password=" + LeastPrivilegeDatabase.PASSWORD);

        assertThat(result.exit()).as(result.toString()).isZero();
        assertThat(result.out()).as(result.toString()).hasSize(1);
        assertThat(result.out().get(0)).matches(PLANS_RESULT);
        assertThat(result.err()).as("nothing to warn about in a normal run").isEmpty();
    }

    @Test
    void aSuperuserConnectionIsWarnedAboutOnceOnStandardError() throws Exception {
        String database = TestDatabase.fresh("feedsync_cli_superuser");

        Result result = cli("run", "plans", "--spring.profiles.active=test", "--test.upstream=" + upstream.url(""),
                "--spring.datasource.url=" + database, "--spring.datasource.username=" + TestDatabase.username(),
                "--spring.datasource.password=" + TestDatabase.password());

        assertThat(result.exit()).as(result.toString()).isZero();
        assertThat(result.out()).as(result.toString()).hasSize(1);
        assertThat(result.err()).as(result.toString()).hasSize(1);
        assertThat(result.err().get(0)).contains(" WARN ")
                .contains("feedsync connects to the database as role '" + TestDatabase.username() + "', a superuser");
    }

    @Test
    void theEmbeddedDatabaseOfAnEarlierFeedsyncIsUsedAndWarnedAbout() throws Exception {
        Path dataDir = workDir.resolve(".feedsync/pgdata");
        // started as feedsync did before its embedded database took passwords: no credentials file beside it
        try (EmbeddedPostgres running = EmbeddedPostgres.builder().setDataDirectory(dataDir)
                .setCleanDataDirectory(false).start()) {

            Result result = cli("run", "plans", "--spring.profiles.active=test", "--test.upstream=" + upstream.url(""));

            assertThat(result.exit()).as(result.toString()).isZero();
            assertThat(result.out()).as(result.toString()).hasSize(1);
            assertThat(result.out().get(0)).matches(PLANS_RESULT);
            assertThat(String.join("\n", result.err())).contains("lets every local user in without a password")
                    .contains("Restart that feedsync with this version to secure it");
            JdbcTemplate db = new JdbcTemplate(new DriverManagerDataSource(running.getJdbcUrl("postgres", "postgres")));
            assertThat(db.queryForObject("select count(*) from public.test_plans", Integer.class)).isEqualTo(6);
            assertThat(db.queryForObject("select trigger from feedsync.sync_run", String.class)).isEqualTo("cli");
        }
    }

    @Test
    void aFailedRunPrintsItsLineOnStandardOutputAndExitsTwo() throws Exception {
        String database = TestDatabase.fresh("feedsync_cli_failed");

        Result result = cli("run", "epa-clients", "--spring.datasource.url=" + database,
                "--spring.datasource.username=" + TestDatabase.username(),
                "--spring.datasource.password=" + TestDatabase.password(),
                "--feedsync.feeds.epa-clients.source.url=http://127.0.0.1:9/unreachable",
                "--feedsync.feeds.epa-clients.source.retry.max-attempts=1");

        assertThat(result.exit()).as(result.toString()).isEqualTo(CommandLineRun.TRANSIENT);
        assertThat(result.out()).as(result.toString()).hasSize(1);
        assertThat(result.out().get(0)).startsWith("feed epa-clients run 1 FAILED: pages=0")
                .contains("error=TRANSIENT: upstream unreachable");
    }

    private record Result(int exit, List<String> out, List<String> err) {
    }

    private Result cli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.feedsync.FeedsyncApplication"));
        command.addAll(List.of(args));
        Path out = workDir.resolve("out.txt");
        Path err = workDir.resolve("err.txt");
        Process process = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the command line did not end within 3 minutes");
        }
        return new Result(process.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
                Files.readAllLines(err, StandardCharsets.UTF_8));
    }
}
