package io.feedsync.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.awaitility.Awaitility.await;

/** A client for feedsync's REST API on its test port. */
public final class Api {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;

    public Api(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** An answer: status, headers and the body parsed as JSON. */
    public record Answer(int status, HttpResponse<String> raw, JsonNode json) {

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    public Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public Answer post(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Starts a run of the feed and returns its id; fails unless the API answered 202. */
    public long startRun(String feed, String body) {
        Answer answer = post("/api/feeds/" + feed + "/runs", body);
        if (answer.status() != 202) {
            throw new AssertionError("expected 202 starting " + feed + " but got " + answer.status() + ": "
                    + answer.raw().body());
        }
        return answer.json().get("runId").asLong();
    }

    /** Waits for a run to leave RUNNING and returns it as the API shows it. */
    public JsonNode awaitRun(long runId) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> !"RUNNING".equals(get("/api/runs/" + runId).json().get("status").asText()));
        return get("/api/runs/" + runId).json();
    }

    /** Runs a feed to its end. */
    public JsonNode run(String feed, String body) {
        return awaitRun(startRun(feed, body));
    }

    public JsonNode run(String feed) {
        return run(feed, null);
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            JsonNode json = body == null || body.isBlank() ? null : JSON.readTree(body);
            return new Answer(response.statusCode(), response, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
