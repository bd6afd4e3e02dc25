package io.feedsync.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The upstream credentials of the test feeds of every auth type (application-test.yaml), and runs of
 * those feeds that use them: for the tests that no secret reaches a log, a run row or an answer.
 */
public final class UpstreamSecrets {

    /** The feeds' credentials, basic also as its header carries it, and a wrong client secret. */
    public static final List<String> CONFIGURED = List.of(
            "s3cret-Basic-Pa55", "cGFydG5lci1zZXJ2aWNlOnMzY3JldC1CYXNpYy1QYTU1", // basic, and as sent
            "tok-Bearer-9f8e7d6c5b4a", "key-Header-1a2b3c4d5e", "key-Query-6f7a8b9c0d",
            "cs-OAuth2-Secret-5e6f7a8b", "not-the-right-secret");

    private static final List<String> STATIC_AUTH_FEEDS = List.of("plans-basic", "plans-bearer", "plans-api-key",
            "plans-api-key-query");

    private UpstreamSecrets() {
    }

    /** What {@link #runEveryAuthType} leaves: the API's answers and the access tokens the feeds were given. */
    public record Runs(String answers, List<String> issuedTokens) {
    }

    /**
     * Runs the feed of each auth type once succeeding and once failing: OAuth2 with its secret, with a
     * wrong one, and with a token the upstream rejects mid-run (401); the static ones on an upstream
     * answering 500.
     */
    public static Runs runEveryAuthType(Api api, FakeUpstream upstream) {
        StringBuilder answers = new StringBuilder();
        upstream.dataset("plans", FakeUpstream.plans(4, "v1"));
        for (String feed : STATIC_AUTH_FEEDS) {
            answers.append(api.run(feed));
        }
        upstream.oauth2("feedsync-test", "cs-OAuth2-Secret-5e6f7a8b", Duration.ofMinutes(5));
        answers.append(api.run("plans-oauth2"));
        answers.append(api.run("plans-oauth2-wrong-secret"));
        upstream.fail(request -> request.page() == 2, 401, 1);
        answers.append(api.run("plans-oauth2"));
        Set<String> tokens = new LinkedHashSet<>(issuedTokens(upstream));
        upstream.reset();
        upstream.dataset("plans", FakeUpstream.plans(4, "v1"));
        upstream.failAlways(request -> true, 500);
        for (String feed : STATIC_AUTH_FEEDS) {
            answers.append(api.run(feed));
        }
        answers.append(api.get("/api/feeds").raw().body());
        return new Runs(answers.toString(), new ArrayList<>(tokens));
    }

    /** The bearer tokens the upstream has seen on its pages since its last reset. */
    public static List<String> issuedTokens(FakeUpstream upstream) {
        return upstream.requests().stream()
                .map(r -> r.header("Authorization"))
                .filter(h -> h != null && h.startsWith("Bearer tok-"))
                .map(h -> h.substring("Bearer ".length()))
                .distinct().toList();
    }
}
