package io.feedsync.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.FileSystemUtils;

import io.feedsync.FeedsyncApplication;
import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upstream data cannot forge log lines: a record whose key holds a line break, a whole fake log line
 * and an ANSI escape is dead-lettered — by PostgreSQL, whose messages repeat the value — and the log
 * shows it escaped on the one line of its event: feedsync's own warning, PostgreSQL's error text in
 * it, and the embedded PostgreSQL's output relayed into the log.
 */
@ExtendWith(OutputCaptureExtension.class)
class LogForgingSecurityTest {

    private static final String FORGED_LINE = "2099-01-01T00:00:00.000Z  WARN 1 --- [feedsync] [main] FORGED: admin key rotated";
    private static final String FORGING_KEY = "\r\n" + FORGED_LINE + "\u001b[31m";
    /** The key as the log writes it. */
    private static final String ESCAPED = "\\r\\n" + FORGED_LINE + "\\u001b[31m";

    @Test
    void aForgingRecordStaysOnTheLineOfEachEventThatShowsIt(CapturedOutput output) throws IOException {
        Path dataDir = Files.createTempDirectory("feedsync-forging");
        try (FakeUpstream upstream = FakeUpstream.start()) {
            List<ObjectNode> records = new ArrayList<>(FakeUpstream.plans(3, "v1"));
            // violates test_plans' check constraint: PostgreSQL's detail repeats the row, key first
            records.get(1).put("key", FORGING_KEY).put("version", "rejected-by-db");
            // no integer for gateway_id: PostgreSQL's message repeats the value
            records.get(2).put("id", FORGING_KEY);
            upstream.dataset("plans", records);
            try (ConfigurableApplicationContext app = new SpringApplicationBuilder(FeedsyncApplication.class)
                    .profiles("forging-test")
                    // its own embedded PostgreSQL, whose output feedsync relays into its log
                    .run("--spring.datasource.url=",
                            "--feedsync.embedded-database.data-dir=" + dataDir.resolve("pgdata"),
                            "--feedsync.security.generated-key-file=" + dataDir.resolve("key"),
                            "--spring.flyway.locations=classpath:db/migration,classpath:db/testtables",
                            "--server.port=0",
                            "--spring.jmx.unique-names=true",
                            "--spring.output.ansi.enabled=never",
                            "--feedsync.security.api-keys.test-operator.key=" + Api.OPERATOR_KEY,
                            "--feedsync.security.api-keys.test-operator.role=operator",
                            "--feedsync.feeds.forging.source.url=" + upstream.url("/all/plans"),
                            "--feedsync.feeds.forging.source.records=/epa_clients",
                            "--feedsync.feeds.forging.transform.mapping.epa_type=/key",
                            "--feedsync.feeds.forging.transform.mapping.ncpdp_version=/version",
                            "--feedsync.feeds.forging.transform.mapping.gateway_id=/id",
                            "--feedsync.feeds.forging.target.table=test_plans",
                            "--feedsync.feeds.forging.target.key=epa_type")) {
                Api api = new Api(Integer.parseInt(app.getEnvironment().getProperty("local.server.port")));
                JsonNode run = api.run("forging");
                assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
                assertThat(run.at("/counts/deadLettered").asLong()).isEqualTo(2);
            }
        } finally {
            FileSystemUtils.deleteRecursively(dataDir);
        }

        String log = output.getAll();
        List<String> lines = log.lines().toList();
        assertThat(lines).as("no forged line").noneMatch(line -> line.startsWith("2099-01-01"))
                .noneMatch(line -> line.stripLeading().startsWith("FORGED"));
        assertThat(log).as("no raw escape sequence").doesNotContain("\u001b");
        assertThat(lines).as("the dead letter's warning, the key escaped")
                .anyMatch(line -> line.contains("record " + ESCAPED + " dead-lettered"));
        assertThat(lines).as("PostgreSQL's messages repeating the value, escaped on the warning's line")
                // (the detail cuts long values short)
                .anyMatch(line -> line.contains("violates check constraint")
                        && line.contains("Failing row contains (\\r\\n2099-01-01T00:00:00.000Z  WARN 1 --- [feedsync]"))
                .anyMatch(line -> line.contains("invalid input syntax for type integer") && line.contains(ESCAPED));
        assertThat(lines).as("the embedded PostgreSQL's output is relayed")
                .anyMatch(line -> line.contains("EmbeddedPostgres") && line.contains("ready to accept connections"));
        assertThat(lines).as("but not its statement errors, which repeat the row")
                .noneMatch(line -> line.contains("EmbeddedPostgres") && line.contains("Failing row"))
                .noneMatch(line -> line.contains("EmbeddedPostgres") && line.contains("invalid input syntax"));
    }
}
