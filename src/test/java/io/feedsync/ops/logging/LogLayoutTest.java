package io.feedsync.ops.logging;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.joran.spi.JoranException;
import org.junit.jupiter.api.Test;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * feedsync's logback configurations write every message and exception message on the lines of its own
 * event, control characters escaped and known secrets masked, through Spring Boot's console pattern,
 * its file appender when a log file is named, and the command line's pattern.
 */
class LogLayoutTest {

    @Test
    void controlCharactersOfEveryKindAreEscaped() {
        assertThat(LogEscapes.escape("a\r\nb\tc\u0000d\u001be\u007ff\u0085g\u009bh\u2028i\u2029j\u202ek\u2066l"))
                .isEqualTo("a\\r\\nb\\tc\\u0000d\\u001be\\u007ff\\u0085g\\u009bh\\u2028i\\u2029j\\u202ek\\u2066l");
        assertThat(LogEscapes.escape("Zürich \\n 東京 — ok")).as("everything else as it is").isEqualTo("Zürich \\n 東京 — ok");
    }

    @Test
    void theConsoleLogKeepsEachEventOnItsLinesAndMasksSecrets() throws Exception {
        LogSecrets.add("layout-Secret/Value+1");
        String out = logThrough("logback-spring.xml", null, log -> {
            log.warn("record {} dead-lettered: {}", "\r\n2099-01-01T00:00:00.000Z  WARN FORGED\u001b[31m", "no");
            log.info("sent Authorization: Bearer some-callers-wrong-key, then key=layout-Secret%2FValue%2B1");
            log.error("run failed", new IllegalStateException("outer\r\nFORGED line",
                    new RuntimeException("inner\nFORGED too layout-Secret/Value+1")));
        });

        assertThat(out.lines()).noneMatch(line -> line.startsWith("2099-01-01") || line.startsWith("FORGED"));
        assertThat(out).doesNotContain("\u001b").doesNotContain("some-callers-wrong-key").doesNotContain("layout-Secret")
                .contains("record \\r\\n2099-01-01T00:00:00.000Z  WARN FORGED\\u001b[31m dead-lettered: no")
                .contains("sent Authorization: Bearer ****, then key=****")
                .contains("java.lang.IllegalStateException: outer\\r\\nFORGED line")
                .contains("Caused by: java.lang.RuntimeException: inner\\nFORGED too ****")
                .contains("\tat io.feedsync.ops.logging.LogLayoutTest");
    }

    @Test
    void theAnnouncementOfAGeneratedKeyKeepsItsLines() throws Exception {
        String out = logThrough("logback-spring.xml", null, log -> { }, "io.feedsync.api.security.ApiKeys",
                "\n\nUsing generated operator API key: {}\n\nSaved in {}\u001b", "abc", "/tmp/key");

        assertThat(out).contains("\n\nUsing generated operator API key: abc\n\nSaved in /tmp/key\\u001b");
    }

    @Test
    void aNamedLogFileGetsTheSameSafeLinesAndNoneIsWrittenOtherwise() throws Exception {
        Path folder = Files.createTempDirectory("feedsync-log-file");
        try {
            Path file = folder.resolve("feedsync.log");
            logThrough("logback-spring.xml", file, log -> log.warn("key {}", "a\nFORGED"));
            assertThat(Files.readString(file)).contains("key a\\nFORGED").doesNotContain("\nFORGED");

            logThrough("logback-spring.xml", null, log -> log.warn("key {}", "b"));
            assertThat(Path.of("LOG_FILE_IS_UNDEFINED")).as("no file of an undefined name").doesNotExist();
        } finally {
            FileSystemUtils.deleteRecursively(folder);
        }
    }

    @Test
    void theCommandLineLogIsSafeToo() throws Exception {
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            logThrough("logback-cli.xml", null, log -> log.warn("failed", new IllegalStateException("x\r\nFORGED")));
        } finally {
            System.setErr(stderr);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("java.lang.IllegalStateException: x\\r\\nFORGED")
                .doesNotContain("\nFORGED");
    }

    private interface Logging {
        void to(Logger log);
    }

    /** What a fresh logging system configured from {@code resource} writes to standard output while {@code logging} runs. */
    private static String logThrough(String resource, Path logFile, Logging logging) throws Exception {
        return logThrough(resource, logFile, logging, null, null);
    }

    private static String logThrough(String resource, Path logFile, Logging logging, String logger, String message,
                                     Object... arguments) throws JoranException, IOException {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        if (logFile != null) {
            context.putProperty("LOG_FILE", logFile.toString());
        }
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LogLayoutTest.class.getClassLoader().getResource(resource));
            Logger log = context.getLogger(LogLayoutTest.class);
            log.setLevel(Level.INFO);
            logging.to(log);
            if (logger != null) {
                context.getLogger(logger).warn(message, arguments);
            }
        } finally {
            context.stop();
            System.setOut(stdout);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
