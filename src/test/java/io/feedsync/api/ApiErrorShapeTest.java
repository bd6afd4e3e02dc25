package io.feedsync.api;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.feedsync.support.Api;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.OpenApiDocument;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What no route answers is still an error in the API's one shape, the document's Error component:
 * unknown paths, wrong methods, the servlet container's /error page, whatever the caller accepts.
 */
class ApiErrorShapeTest extends FeedsyncTest {

    @Test
    void anUnknownPathIs404InTheErrorShape() {
        for (String path : List.of("/api/run", "/api/batches", "/api/nope", "/api/feeds/plans/nope", "/api/feeds/plans/runs/1", "/nope",
                "/actuator/nope")) {
            Api.Answer answer = api.get(path);

            assertThat(answer.status()).as(path).isEqualTo(404);
            assertError(answer, "not_found");
            assertThat(answer.json().get("message").asText()).contains("GET " + path);
        }
    }

    @Test
    void aMethodThePathDoesNotTakeIs405InTheErrorShape() {
        Api.Answer delete = api.request("DELETE", "/api/feeds", Map.of(), null);
        Api.Answer put = api.request("PUT", "/api/feeds/plans/runs", Map.of("Content-Type", "application/json"), "{}");

        assertThat(delete.status()).isEqualTo(405);
        assertError(delete, "method_not_allowed");
        assertThat(delete.header("Allow")).isEqualTo("GET");
        assertThat(put.status()).isEqualTo(405);
        assertError(put, "method_not_allowed");
        assertThat(put.json().get("message").asText()).contains("PUT /api/feeds/plans/runs").contains("GET, POST");
        Api.Answer get = api.get("/api/feeds/plans");
        assertThat(get.status()).isEqualTo(405);
        assertError(get, "method_not_allowed");
        Api.Answer batches = api.get("/api/runs");
        assertThat(batches.status()).isEqualTo(405);
        assertThat(batches.header("Allow")).isEqualTo("POST");
        assertThat(count("select count(*) from sync_run")).isZero();
    }

    @Test
    void theErrorShapeDoesNotDependOnWhatTheCallerAccepts() {
        Api.Answer html = api.request("GET", "/api/nope", Map.of("Accept", "text/html"), null);
        Api.Answer anonymousHtml = api.as(Api.anonymous()).request("GET", "/api/feeds", Map.of("Accept", "text/html"), null);

        assertThat(html.status()).isEqualTo(404);
        assertError(html, "not_found");
        assertThat(anonymousHtml.status()).isEqualTo(401);
        assertError(anonymousHtml, "unauthorized");
    }

    @Test
    void theContainersErrorPageAnswersInTheErrorShape() {
        Api.Answer answer = api.get("/error");

        assertThat(answer.status()).isEqualTo(500);
        assertError(answer, "internal");
        assertThat(answer.raw().body()).doesNotContain("timestamp", "trace", "path");
    }

    private void assertError(Api.Answer answer, String error) {
        assertThat(answer.header("Content-Type")).startsWith("application/json");
        assertThat(answer.json().get("error").asText()).isEqualTo(error);
        assertThat(answer.json().get("message").asText()).isNotBlank();
        OpenApiDocument document = new OpenApiDocument(api.get("/api/openapi.json").json());
        assertThat(document.componentViolations("Error", answer.json())).isEmpty();
    }
}
