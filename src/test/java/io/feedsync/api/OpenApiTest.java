package io.feedsync.api;

import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.RestRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/** /api/openapi.json documents exactly the REST routes that exist, and each documented operation answers as documented. */
class OpenApiTest extends FeedsyncTest {

    @Autowired
    CamelContext camel;

    @Test
    void documentsExactlyTheRoutesThatExist() {
        JsonNode document = api.as(Api.bearer(Api.VIEWER_KEY)).get("/api/openapi.json").json();

        Set<String> documented = new HashSet<>();
        document.get("paths").fields().forEachRemaining(path -> path.getValue().fieldNames()
                .forEachRemaining(method -> documented.add(method.toUpperCase() + " " + path.getKey())));
        Set<String> routes = new HashSet<>();
        for (RestRegistry.RestService service : camel.getRestRegistry().listAllRestServices()) {
            if (service.getMethod() != null && !service.getUrl().contains("openapi")) {
                routes.add(service.getMethod().toUpperCase() + " " + service.getBasePath() + service.getUriTemplate());
            }
        }
        assertThat(routes).isNotEmpty();
        assertThat(documented).containsExactlyInAnyOrderElementsOf(routes);
        assertThat(document.get("components").get("securitySchemes").fieldNames()).toIterable()
                .contains("apiKey", "bearer", "basic");
    }

    @Test
    void eachDocumentedOperationAnswersWithADocumentedSuccess() {
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));
        long runId = api.run("plans").get("runId").asLong();
        JsonNode document = api.get("/api/openapi.json").json();

        int checked = 0;
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            String url = path.getKey().replace("{feed}", "plans").replace("{id}", String.valueOf(runId));
            for (Iterator<Map.Entry<String, JsonNode>> operations = path.getValue().fields(); operations.hasNext(); ) {
                Map.Entry<String, JsonNode> operation = operations.next();
                Api.Answer answer = switch (operation.getKey()) {
                    case "get" -> api.get(url);
                    case "post" -> api.post(url, "{}");
                    default -> throw new AssertionError("undocumented method in test: " + operation.getKey());
                };
                assertThat(operation.getValue().get("responses").has(String.valueOf(answer.status())))
                        .as(operation.getKey() + " " + url + " answered " + answer.status()).isTrue();
                assertThat(answer.status()).as(operation.getKey() + " " + url).isBetween(200, 299);
                assertThat(answer.json()).as(operation.getKey() + " " + url).isNotNull();
                if (answer.status() == 202) {
                    api.awaitRun(answer.json().get("runId").asLong());
                }
                checked++;
            }
        }
        assertThat(checked).isEqualTo(7);
    }
}
