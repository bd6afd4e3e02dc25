package io.feedsync.config;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

import io.feedsync.upstream.Parent;
import io.feedsync.upstream.ParentUrls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@code source.for-each}: what a child feed's definition may say, and how a parent's values go into
 * its URL — as data only, whatever they hold.
 */
class ForEachRulesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final MockEnvironment environment = new MockEnvironment();

    @Test
    void aChildFeedKeepsItsPlaceholdersAndItsParentColumns() {
        FeedDefinition feed = define("""
                "url": "https://api.example.org/clients/{client_id}/appointments?region={region}",
                "for-each": {"feed": "clients", "columns": ["client_id", "region"], "concurrency": 4}""",
                "\"client_id\": {\"parent\": \"client_id\"}");

        assertThat(feed.source().forEach().concurrency()).isEqualTo(4);
        assertThat(feed.source().forEach().changedOnly()).isTrue();
        assertThat(feed.source().forEach().skipNotFound()).isTrue();
        assertThat(feed.source().forEach().cascadeDeletes()).isTrue();
        assertThat(feed.source().forEach().afterParent()).isFalse();
        assertThat(feed.transform().parents()).isEqualTo(Map.of("client_id", "client_id"));
        URI url = ParentUrls.fill(feed.source(), List.of(new Parent(List.of("7"),
                Map.of("client_id", "7", "region", "north east"))));
        assertThat(url).hasToString("https://api.example.org/clients/7/appointments?region=north%20east");
    }

    @Test
    void aParentsValueIsDataInItsSegmentNeverPathQueryOrAnotherPlaceholder() {
        FeedDefinition feed = define("""
                "url": "https://api.example.org/clients/{client_id}/appointments?region={region}",
                "for-each": {"feed": "clients", "columns": ["client_id", "region"]}""", "");

        URI url = ParentUrls.fill(feed.source(), List.of(new Parent(List.of("7"),
                Map.of("client_id", "7.1~x", "region", "x&admin=true#%7Bclient_id%7D/{client_id}"))));

        assertThat(url.getRawPath()).isEqualTo("/clients/7.1~x/appointments");
        assertThat(url.getRawQuery()).isEqualTo("region=x%26admin%3Dtrue%23%257Bclient_id%257D%2F%7Bclient_id%7D");
        assertThat(url.getHost()).isEqualTo("api.example.org");
        assertThat(ParentUrls.fill(feed.source(), List.of(new Parent(List.of("a b"),
                Map.of("client_id", "a b", "region", "é"))))).hasToString(
                "https://api.example.org/clients/a%20b/appointments?region=%C3%A9");
        // what an upstream that decodes before it routes could read as a path: refused, the parent not requested
        for (String unsafe : List.of("..", ".", "a/b", "a\\b", "%2e%2e", "a\nb", "")) {
            assertThatThrownBy(() -> ParentUrls.fill(feed.source(), List.of(new Parent(List.of("1"),
                    Map.of("client_id", unsafe, "region", "r")))))
                    .as(unsafe).isInstanceOf(ParentUrls.UnusableParentValueException.class)
                    .hasMessageStartingWith("parent 1: its {client_id} ");
        }
        assertThatThrownBy(() -> ParentUrls.fill(feed.source(), List.of(new Parent(List.of("1"),
                Map.of("client_id", "1", "region", "r".repeat(ParentUrls.MAX_VALUE + 1))))))
                .hasMessageContaining("is longer than 2048 characters");
    }

    @Test
    void whatAChildFeedMayNotSayIsRefusedByItsKey() {
        assertThat(problems("""
                "url": "https://{client_id}.example.org/appointments",
                "for-each": {"feed": "clients", "columns": ["client_id"]}""", ""))
                .containsExactly("feedsync.feeds.kids.source.url: may have {column} placeholders in its path and query"
                        + " only: a parent's value never chooses the host");
        assertThat(problems("""
                "url": "https://api.example.org/clients/{id}/appointments",
                "for-each": {"feed": "clients", "columns": ["client_id"]}""", ""))
                .containsExactly("feedsync.feeds.kids.source.url: has the placeholder {id}, which is not one of"
                        + " source.for-each.columns [client_id]");
        assertThat(problems("""
                "url": "https://api.example.org/appointments",
                "for-each": {"feed": "clients", "columns": ["client_id"]}""", "")).singleElement().asString()
                .contains("has no {column} placeholder");
        assertThat(problems("""
                "url": "https://api.example.org/clients/{client_id}/appointments\"""", "")).singleElement().asString()
                .contains("only a child feed (source.for-each) fills");
        assertThat(problems("""
                "url": "https://api.example.org/clients/{client_id}/a",
                "for-each": {"feed": "clients", "columns": ["client_id"], "concurrency": 17}""", ""))
                .containsExactly("feedsync.feeds.kids.source.for-each.concurrency: must be at most 16");
        assertThat(problems("""
                "url": "https://api.example.org/clients/{client_id}/a", "incremental": {"cursor": "/at"},
                "for-each": {"feed": "clients", "columns": ["client_id"]}""", "")).singleElement().asString()
                .contains("a child feed is incremental by its parents");
        assertThat(problems("""
                "url": "https://api.example.org/a?ids={client_id}",
                "for-each": {"feed": "clients", "columns": ["client_id"], "batch": 10}""",
                "\"client_id\": {\"parent\": \"client_id\"}")).singleElement().asString()
                .contains("transform.mapping.client_id.pointer: with source.for-each.batch");
        assertThat(problems("""
                "url": "https://api.example.org/a", "pagination": {"type": "none"}""",
                "\"client_id\": {\"parent\": \"client_id\"}"))
                .containsExactly("feedsync.feeds.kids.transform.mapping.client_id.parent: only a child feed"
                        + " (source.for-each) has a parent row");
        assertThat(problems("""
                "url": "https://api.example.org/clients/{client_id}/a",
                "for-each": {"feed": "clients", "columns": ["client_id"]}""",
                "\"client_id\": {\"parent\": \"region\"}")).singleElement().asString()
                .contains("'region' is not one of source.for-each.columns [client_id]");
    }

    @Test
    void aChildThatSoftDeletesCarriesItsParentIntoItsRows() {
        FeedConfigException refused = catchThrowableOfType(() -> FeedValidator.define("kids", JSON.valueToTree(Map.of(
                "source", Map.of("url", "https://api.example.org/clients/{client_id}/a",
                        "for-each", Map.of("feed", "clients", "columns", List.of("client_id"))),
                "transform", Map.of("mapping", Map.of("id", "/id")),
                "target", Map.of("table", "kids", "key", List.of("id"), "soft-delete", "deleted_at"))), environment),
                FeedConfigException.class);

        assertThat(refused.problems()).extracting(Throwable::getMessage).singleElement().asString()
                .contains("a child feed with target.soft-delete carries its parent into its rows");
    }

    @Test
    void parentsMustExistAndNeverFormACycle() {
        FeedDefinition a = child("a", "clients");
        FeedDefinition b = child("b", "a");
        Map<String, FeedDefinition> feeds = Map.of("a", child("a", "b"), "b", b);

        assertThat(FeedFamilies.problems(child("c", "nobody"), name -> Optional.ofNullable(feeds.get(name))))
                .extracting(Throwable::getMessage)
                .containsExactly("feedsync.feeds.c.source.for-each.feed: no feed named 'nobody'");
        assertThat(FeedFamilies.problems(child("a", "b"), name -> Optional.ofNullable(feeds.get(name))))
                .extracting(Throwable::getMessage)
                .containsExactly("feedsync.feeds.a.source.for-each.feed: the parents form a cycle: a → b → a");
        assertThat(FeedFamilies.parentsFirst(List.of(b, a)).stream().map(FeedDefinition::name)).containsExactly("a", "b");
    }

    private FeedDefinition child(String name, String parent) {
        return FeedValidator.define(name, json("""
                {"source": {"url": "https://api.example.org/x/{id}", "for-each": {"feed": "%s", "columns": ["id"]}},
                 "transform": {"mapping": {"id": "/id"}}, "target": {"table": "t_%s", "key": ["id"]}}"""
                .formatted(parent, name)), environment);
    }

    private FeedDefinition define(String source, String mapping) {
        return FeedValidator.define("kids", json(definition(source, mapping)), environment);
    }

    private List<String> problems(String source, String mapping) {
        FeedConfigException refused = catchThrowableOfType(() -> define(source, mapping), FeedConfigException.class);
        assertThat(refused).as("refused").isNotNull();
        return refused.problems().stream().map(Throwable::getMessage).toList();
    }

    private static String definition(String source, String mapping) {
        return """
                {"source": {%s},
                 "transform": {"mapping": {"appointment_id": "/id"%s}},
                 "target": {"table": "appointments", "key": ["appointment_id"]}}"""
                .formatted(source, mapping.isEmpty() ? "" : ", " + mapping);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
