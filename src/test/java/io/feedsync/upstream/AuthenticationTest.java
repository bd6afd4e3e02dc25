package io.feedsync.upstream;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/** Each auth type gets in with the right credentials and fails permanently with wrong ones. */
class AuthenticationTest extends FeedsyncTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "plans-basic,         Authorization, Basic cGFydG5lci1zZXJ2aWNlOnMzY3JldC1CYXNpYy1QYTU1",
            "plans-bearer,        Authorization, Bearer tok-Bearer-9f8e7d6c5b4a",
            "plans-api-key,       X-Export-Key,  key-Header-1a2b3c4d5e",
    })
    void headerCredentialsAreAccepted(String feed, String header, String value) {
        upstream.dataset("plans", FakeUpstream.plans(3, "v1"));
        upstream.requireHeader(header, value);

        JsonNode run = api.run(feed);

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"plans-basic", "plans-bearer", "plans-api-key", "plans-api-key-query"})
    void wrongCredentialsFailPermanentlyWithoutRetrying(String feed) {
        upstream.dataset("plans", FakeUpstream.plans(3, "v1"));
        upstream.requireHeader("Authorization", "Bearer something-else");

        JsonNode run = api.run(feed);

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("error").get("class").asText()).isEqualTo("PERMANENT");
        assertThat(run.get("error").get("httpStatus").asInt()).isEqualTo(401);
        assertThat(upstream.requests()).hasSize(1);
        assertThat(count("select count(*) from test_plans")).isZero();
    }

    @Test
    void apiKeyInTheQueryIsSentButMaskedInTheRunRow() {
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));
        upstream.requireQueryParam("api_key", "key-Query-6f7a8b9c0d");

        assertThat(api.run("plans-api-key-query").get("status").asText()).isEqualTo("SUCCEEDED");

        upstream.failAlways(request -> true, 503);
        JsonNode failed = api.run("plans-api-key-query");
        assertThat(failed.get("error").get("url").asText()).contains("api_key=****")
                .doesNotContain("key-Query-6f7a8b9c0d");
        assertThat(failed.get("error").get("message").asText()).doesNotContain("key-Query-6f7a8b9c0d");
    }

    @Test
    void oauth2TokenIsRequestedOnceForManyPages() {
        upstream.dataset("plans", FakeUpstream.plans(10, "v1"));
        upstream.oauth2("feedsync-test", "cs-OAuth2-Secret-5e6f7a8b", Duration.ofMinutes(5));

        JsonNode run = api.run("plans-oauth2");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("pages").asInt()).isEqualTo(5);
        assertThat(upstream.tokensIssued()).isEqualTo(1);
        assertThat(upstream.requests()).allSatisfy(r -> assertThat(r.header("Authorization")).startsWith("Bearer tok-"));
    }

    @Test
    void oauth2TokenIsRenewedBeforeItExpires() {
        upstream.dataset("plans", FakeUpstream.plans(8, "v1"));
        // 31 s of life, renewed 30 s early: the token is due for renewal after one second
        upstream.oauth2("feedsync-test", "cs-OAuth2-Secret-5e6f7a8b", Duration.ofSeconds(31));
        upstream.delay(Duration.ofMillis(450));

        JsonNode run = api.run("plans-oauth2");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(upstream.tokensIssued()).isGreaterThanOrEqualTo(2);
        assertThat(upstream.requests().stream().map(r -> r.header("Authorization")).distinct().count())
                .isEqualTo(upstream.tokensIssued());
    }

    @Test
    void oauth2TokenRejectedWith401IsRenewedOnceAndThePageRetried() {
        upstream.dataset("plans", FakeUpstream.plans(6, "v1"));
        upstream.oauth2("feedsync-test", "cs-OAuth2-Secret-5e6f7a8b", Duration.ofMinutes(5));
        upstream.fail(request -> request.page() == 2, 401, 1);

        JsonNode run = api.run("plans-oauth2");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(6);
        assertThat(upstream.tokensIssued()).isEqualTo(2);
        assertThat(upstream.requests()).extracting(FakeUpstream.Request::page).containsExactly(1, 2, 2, 3);
    }

    @Test
    void oauth2TokenRejectedTwiceFailsPermanently() {
        upstream.dataset("plans", FakeUpstream.plans(6, "v1"));
        upstream.oauth2("feedsync-test", "cs-OAuth2-Secret-5e6f7a8b", Duration.ofMinutes(5));
        upstream.failAlways(request -> request.page() == 2, 401);

        JsonNode run = api.run("plans-oauth2");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("error").get("class").asText()).isEqualTo("PERMANENT");
        assertThat(run.get("error").get("httpStatus").asInt()).isEqualTo(401);
        assertThat(upstream.tokensIssued()).isEqualTo(2);
    }

    @Test
    void oauth2WrongClientSecretFailsPermanently() {
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));
        upstream.oauth2("feedsync-test", "cs-OAuth2-Secret-5e6f7a8b", Duration.ofMinutes(5));

        JsonNode run = api.run("plans-oauth2-wrong-secret");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("error").get("class").asText()).isEqualTo("PERMANENT");
        assertThat(run.get("error").get("message").asText()).contains("token endpoint answered HTTP 401");
        assertThat(upstream.requests()).isEmpty();
        assertThat(upstream.tokenRequests().get(0).header("Authorization")).startsWith("Basic ");
    }
}
