package io.feedsync.upstream;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/** Credentials of every auth type, and the tokens they earn, never reach logs, run rows or API answers. */
@ExtendWith(OutputCaptureExtension.class)
class SecretsStayOutTest extends FeedsyncTest {

    private static final List<String> SECRETS = List.of(
            "s3cret-Basic-Pa55", "cGFydG5lci1zZXJ2aWNlOnMzY3JldC1CYXNpYy1QYTU1", // basic, and as sent
            "tok-Bearer-9f8e7d6c5b4a", "key-Header-1a2b3c4d5e", "key-Query-6f7a8b9c0d",
            "cs-OAuth2-Secret-5e6f7a8b", "not-the-right-secret");

    @Test
    void noSecretOrTokenAppearsAnywhereAfterGoodAndBadRuns(CapturedOutput output) {
        upstream.dataset("plans", FakeUpstream.plans(4, "v1"));
        StringBuilder answers = new StringBuilder();
        for (String feed : List.of("plans-basic", "plans-bearer", "plans-api-key", "plans-api-key-query")) {
            answers.append(api.run(feed));
        }
        upstream.oauth2("feedsync-test", "cs-OAuth2-Secret-5e6f7a8b", Duration.ofMinutes(5));
        answers.append(api.run("plans-oauth2"));
        answers.append(api.run("plans-oauth2-wrong-secret"));
        upstream.fail(request -> request.page() == 2, 401, 1);
        answers.append(api.run("plans-oauth2"));
        upstream.reset();
        upstream.dataset("plans", FakeUpstream.plans(4, "v1"));
        upstream.failAlways(request -> true, 500);
        for (String feed : List.of("plans-basic", "plans-bearer", "plans-api-key", "plans-api-key-query")) {
            answers.append(api.run(feed));
        }
        answers.append(api.get("/api/feeds").raw().body());

        String runRows = jdbc.queryForList("select * from sync_run").stream().map(Map::toString).toList().toString();
        List<String> tokens = upstream.tokenRequests().isEmpty() ? List.of() : issuedTokens();
        for (String secret : concat(SECRETS, tokens)) {
            assertThat(output.getAll()).as("logs").doesNotContain(secret);
            assertThat(runRows).as("sync_run").doesNotContain(secret);
            assertThat(answers.toString()).as("API answers").doesNotContain(secret);
        }
        assertThat(runRows).contains("api_key=****");
        assertThat(output.getAll()).as("the capture sees the run logs").contains("Feed plans-basic run")
                .contains("Feed plans-oauth2 run");
    }

    private List<String> issuedTokens() {
        return upstream.requests().stream()
                .map(r -> r.header("Authorization"))
                .filter(h -> h != null && h.startsWith("Bearer tok-"))
                .map(h -> h.substring("Bearer ".length()))
                .distinct().toList();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
