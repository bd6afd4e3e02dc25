package io.feedsync.api;

import java.util.HashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.RestRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.feedsync.config.FeedJsonSchema;
import io.feedsync.support.Api;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * /api/openapi.json documents exactly the REST routes that exist, under a server URL a client can
 * use, with a body schema for every answer. (OpenApiConformanceTest checks the answers against it,
 * OpenApiLintTest lints it.)
 */
class OpenApiTest extends FeedsyncTest {

    @Autowired
    CamelContext camel;

    @Test
    void documentsExactlyTheRoutesThatExist() {
        JsonNode document = api.as(Api.bearer(Api.VIEWER_KEY)).get("/api/openapi.json").json();
        String server = document.get("servers").get(0).get("url").asText();

        Set<String> documented = new HashSet<>();
        document.get("paths").fields().forEachRemaining(path -> path.getValue().fieldNames()
                .forEachRemaining(method -> documented.add(method.toUpperCase() + " " + server + path.getKey())));
        Set<String> routes = new HashSet<>();
        for (RestRegistry.RestService service : camel.getRestRegistry().listAllRestServices()) {
            if (service.getMethod() != null && !service.getUrl().contains("openapi")) {
                routes.add(service.getMethod().toUpperCase() + " " + path(service.getUrl()));
            }
        }
        assertThat(routes).hasSize(23);
        assertThat(documented).containsExactlyInAnyOrderElementsOf(routes);
        assertThat(document.get("components").get("securitySchemes").fieldNames()).toIterable()
                .contains("apiKey", "bearer", "basic");
    }

    /**
     * {@code GET /api/schema/feed} answers the JSON Schema of a feed definition, every key with its
     * type, default and meaning, to any key that may read; the OpenAPI's FeedDefinitionBody is the same.
     */
    @Test
    void theFeedSchemaIsServedAndIsTheOpenApisFeedDefinitionBody() throws Exception {
        Api.Answer answer = api.as(Api.bearer(Api.VIEWER_KEY)).get("/api/schema/feed");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Content-Type")).startsWith("application/json");
        JsonNode schema = answer.json();
        assertThat(schema.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        JsonNode source = schema.at("/properties/source/properties");
        assertThat(source.at("/timeout/default").asText()).isEqualTo("30s");
        assertThat(source.at("/url/description").asText()).contains("absolute http(s) URL");
        assertThat(schema.at("/properties/mode/enum").toString()).isEqualTo("[\"incremental\",\"full\"]");
        assertThat(schema.at("/properties/source/properties/auth/anyOf")).hasSize(5);
        assertThat(api.as(Api.bearer("wrong")).get("/api/schema/feed").status()).isEqualTo(401);
        // what is served is the schema FeedJsonSchemaTest validates every example of the docs with
        assertThat(schema).isEqualTo(new ObjectMapper().readTree(FeedJsonSchema.document().toString()));

        JsonNode body = api.get("/api/openapi.json").json().at("/components/schemas/FeedDefinitionBody");
        assertThat(body.at("/properties/source/properties/timeout/default").asText()).isEqualTo("30s");
        assertThat(body.at("/properties/source/properties/auth/anyOf")).hasSize(5);
        assertThat(body.at("/properties").size()).isEqualTo(schema.at("/properties").size());
        assertThat(body.at("/additionalProperties").asBoolean(true)).as("closed: an unknown key is refused").isFalse();
    }

    @Test
    void theDocumentNamesTheLicence() {
        JsonNode license = api.get("/api/openapi.json").json().get("info").get("license");

        assertThat(license.get("name").asText()).isEqualTo("Apache-2.0");
        assertThat(license.get("url").asText()).isEqualTo("https://www.apache.org/licenses/LICENSE-2.0.html");
    }

    @Test
    void theServerIsRelativeUnlessAProxySaysWhereItIs() {
        assertThat(api.get("/api/openapi.json").json().get("servers").get(0).get("url").asText()).isEqualTo("/api");

        JsonNode proxied = api.request("GET", "/api/openapi.json", java.util.Map.of("X-Forwarded-Proto", "https",
                "X-Forwarded-Host", "feeds.example.org", "X-Forwarded-Prefix", "/sync"), null).json();

        assertThat(proxied.get("servers").get(0).get("url").asText()).isEqualTo("https://feeds.example.org/sync/api");
    }

    @Test
    void everyAnswerHasASchemaAndEveryErrorTheSharedOne() {
        JsonNode document = api.get("/api/openapi.json").json();

        int answers = 0;
        for (JsonNode path : document.get("paths")) {
            for (JsonNode operation : path) {
                assertThat(operation.get("operationId").asText()).matches("[a-z][A-Za-z]+");
                for (var response : (Iterable<java.util.Map.Entry<String, JsonNode>>) operation.get("responses")::fields) {
                    JsonNode schema = response.getValue().path("content").path("application/json").path("schema");
                    String what = operation.get("operationId").asText() + " " + response.getKey();
                    assertThat(schema.isMissingNode()).as(what + " has a schema").isFalse();
                    if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
                        assertThat(schema.path("$ref").asText()).as(what).isEqualTo("#/components/schemas/Error");
                    } else {
                        assertThat(schema.toString()).as(what + " refers to a component").contains("#/components/schemas/");
                    }
                    answers++;
                }
            }
        }
        assertThat(answers).isGreaterThan(50);
        assertThat(document.get("components").get("schemas").get("Error").get("required")).extracting(JsonNode::asText)
                .containsExactly("error", "message");
    }

    /** The path of a REST service's URL, e.g. {@code /api/feeds/{feed}/runs}. */
    private static String path(String url) {
        String path = url.replaceFirst("^[a-z]+://[^/]+", "");
        return path.startsWith("/") ? path : "/" + path;
    }
}
