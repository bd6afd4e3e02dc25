package io.feedsync.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

import io.feedsync.upstream.BearerAuthentication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A feed sent as JSON over the API is bound and checked as application.yaml is: the same messages,
 * unknown keys named with the key meant, every problem at once, and secrets as placeholders only.
 */
class FeedValidatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final MockEnvironment environment = new MockEnvironment().withProperty("PARTNER_TOKEN", "s3cret-token")
            // the node lets feeds defined over the API read these names
            .withProperty("feedsync.security.secret-names", "PARTNER_TOKEN, NOT_HERE");

    @Test
    void validDefinitionGetsTheSameDefaultsAsTheConfiguration() {
        FeedDefinition feed = FeedValidator.define("partners", json("""
                {"schedule": "0 0 * * * ?", "mode": "full", "chunk-size": 250,
                 "source": {"url": "https://example.org/x", "records": "/items",
                            "pagination": {"type": "page", "size": "50"}},
                 "transform": {"mapping": {"id": "/id", "name": "/name"}},
                 "target": {"table": "partners", "key": ["id"], "soft-delete": "deleted_at"}}"""), environment);

        assertThat(feed.schedule()).isEqualTo("0 0 * * * ?");
        assertThat(feed.chunkSize()).isEqualTo(250);
        assertThat(feed.source().maxPages()).isEqualTo(100_000);
        assertThat(feed.transform().mapping()).containsKeys("id", "name");
        assertThat(feed.target().softDeleteColumn()).isEqualTo("deleted_at");
    }

    @Test
    void badValueHasTheStartupValidationsMessage() {
        assertThatThrownBy(() -> FeedValidator.define("partners", json("""
                {"schedule": "every night", "source": {"url": "https://example.org/x"},
                 "transform": {"mapping": {"id": "/id"}}, "target": {"table": "partners", "key": ["id"]}}"""), environment))
                .isInstanceOf(FeedConfigException.class)
                .hasMessage("feedsync.feeds.partners.schedule: 'every night' is not a Quartz cron expression (e.g. \"0 0 1 * * ?\")");
    }

    @Test
    void everyProblemIsListedUnknownKeysWithTheKeyMeant() {
        FeedConfigException refused = catchThrowableOfType(() -> FeedValidator.define("partners", json("""
                {"shedule": "0 0 * * * ?", "source": {"url": "ftp://example.org/x", "paginaton": {"type": "page"}},
                 "transform": {"mapping": {"id": "id"}}, "target": {"key": ["id"]}}"""), environment),
                FeedConfigException.class);

        assertThat(refused.problems()).extracting(Throwable::getMessage).containsExactlyInAnyOrder(
                "feedsync.feeds.partners.shedule: unknown key; did you mean 'schedule'?",
                "feedsync.feeds.partners.source.paginaton: unknown key; did you mean 'pagination'?",
                "feedsync.feeds.partners.source.url: must be an absolute http(s) URL",
                "feedsync.feeds.partners.transform.mapping.id: 'id' is not a JSON pointer (it starts with '/', or is \"\" for the whole page)",
                "feedsync.feeds.partners.target.table: must be set");
    }

    @Test
    void aValueOfTheWrongTypeIsNamedByItsKey() {
        assertThatThrownBy(() -> FeedValidator.define("partners", json("""
                {"source": {"url": "https://example.org/x", "pagination": {"type": "page", "size": "many"}},
                 "transform": {"mapping": {"id": "/id"}}, "target": {"table": "partners", "key": ["id"]}}"""), environment))
                .hasMessageContaining("feedsync.feeds.partners.source.pagination.size: 'many' is not a whole number");
    }

    @Test
    void aLiteralSecretIsRefusedWithoutBeingRepeated() {
        assertThatThrownBy(() -> FeedValidator.define("partners", withToken("hunter2-literal"), environment))
                .isInstanceOf(FeedConfigException.class)
                .hasMessageStartingWith("feedsync.feeds.partners.source.auth.token: a secret is given as a ${NAME} placeholder")
                .hasMessageNotContaining("hunter2-literal");
    }

    @Test
    void aPlaceholderIsResolvedFromTheNodesEnvironment() {
        FeedDefinition feed = FeedValidator.define("partners", withToken("${PARTNER_TOKEN}"), environment);

        assertThat(feed.source().auth()).isInstanceOf(BearerAuthentication.class);
        assertThatThrownBy(() -> FeedValidator.define("partners", withToken("${NOT_HERE}"), environment))
                .hasMessage("feedsync.feeds.partners.source.auth.token: ${NOT_HERE} is not set on this node");
    }

    @Test
    void aDefinitionIsAnObjectAndAFeedNameIsLowerCase() {
        assertThatThrownBy(() -> FeedValidator.define("partners", json("[1]"), environment))
                .hasMessageStartingWith("feedsync.feeds.partners: a feed's definition is a JSON object");
        assertThatThrownBy(() -> FeedValidator.define("Partners", withToken("${PARTNER_TOKEN}"), environment))
                .hasMessage("feedsync.feeds.Partners: feed names are lower-case letters, digits and '-', at most 100"
                        + " characters");
    }

    private static JsonNode withToken(String token) {
        return json("""
                {"source": {"url": "https://example.org/x", "auth": {"type": "bearer", "token": "%s"}},
                 "transform": {"mapping": {"id": "/id"}}, "target": {"table": "partners", "key": ["id"]}}""".formatted(token));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
