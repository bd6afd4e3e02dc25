package io.feedsync.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.feedsync.support.Api;
import io.feedsync.support.ExternalTools;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * /api/openapi.json passes Redocly's linter with its recommended rules (src/test/resources/redocly.yaml):
 * no error, no warning.
 */
class OpenApiLintTest extends FeedsyncTest {

    @TempDir
    Path dir;

    @Test
    void theDocumentLintsCleanWithRedoclysRecommendedRules() throws Exception {
        Path redocly = ExternalTools.requireOnPath("redocly", "npm install -g @redocly/cli@2.77.0");
        Api.Answer answer = api.get("/api/openapi.json");
        assertThat(answer.status()).isEqualTo(200);
        Path document = Files.writeString(dir.resolve("openapi.json"), answer.raw().body());
        Path config = Path.of(OpenApiLintTest.class.getResource("/redocly.yaml").toURI());

        Process lint = new ProcessBuilder(redocly.toString(), "lint", "--config", config.toString(),
                "--format", "json", document.toString())
                .directory(dir.toFile()).redirectError(dir.resolve("stderr.txt").toFile()).start();
        String output = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(lint.waitFor(2, TimeUnit.MINUTES)).as("redocly finished").isTrue();

        String why = output + Files.readString(dir.resolve("stderr.txt"));
        assertThat(lint.exitValue()).as(why).isZero();
        JsonNode report = new ObjectMapper().readTree(output);
        assertThat(report.get("problems")).as(why).isEmpty();
        assertThat(report.at("/totals/errors").asInt()).isZero();
        assertThat(report.at("/totals/warnings").asInt()).isZero();
        assertThat(report.at("/totals/ignored").asInt()).isZero();
    }
}
