package io.feedsync.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.awaitility.Awaitility.await;

/**
 * A client for feedsync's REST API on its test port. By default it calls as the test operator
 * (application-test.yaml); {@link #as} gives one with other credentials, or none.
 */
public final class Api {

    /** A run's statuses before it ends. */
    public static final java.util.Set<String> UNDER_WAY = java.util.Set.of("QUEUED", "RUNNING");
    public static final String OPERATOR_KEY = "test-operator-key-0123456789";
    public static final String VIEWER_KEY = "test-viewer-key-0123456789ab";
    public static final String CONSOLE_USER = "test-console";
    public static final String CONSOLE_PASSWORD = "test-console-password-0123";
    public static final String WATCHER_USER = "test-watcher";
    public static final String WATCHER_PASSWORD = "test-watcher-password-0123";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final Map<String, String> credentials;

    public Api(int port) {
        this(port, bearer(OPERATOR_KEY));
    }

    private Api(int port, Map<String, String> credentials) {
        this.base = "http://127.0.0.1:" + port;
        this.credentials = credentials;
        this.port = port;
    }

    private final int port;

    /** The same API with these credential headers instead (an empty map: none at all). */
    public Api as(Map<String, String> headers) {
        return new Api(port, headers);
    }

    public static Map<String, String> bearer(String key) {
        return Map.of("Authorization", "Bearer " + key);
    }

    public static Map<String, String> apiKey(String key) {
        return Map.of("X-API-Key", key);
    }

    public static Map<String, String> basic(String user, String password) {
        return Map.of("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    public static Map<String, String> anonymous() {
        return Map.of();
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

    public Answer request(String method, String path, Map<String, String> headers, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return send(request);
    }

    /**
     * Runs {@code operation} of {@code mbean} over Jolokia ({@code /actuator/jolokia}), string
     * arguments; fails unless the HTTP answer is 200. Jolokia's own status is in the answer.
     */
    public JsonNode jolokiaExec(String mbean, String operation, String... arguments) {
        StringBuilder args = new StringBuilder();
        for (String argument : arguments) {
            args.append(args.isEmpty() ? "" : ",").append('"').append(argument).append('"');
        }
        Answer answer = post("/actuator/jolokia", "{\"type\":\"exec\",\"mbean\":\"" + mbean.replace("\"", "\\\"")
                + "\",\"operation\":\"" + operation + "\",\"arguments\":[" + args + "]}");
        if (answer.status() != 200) {
            throw new AssertionError("Jolokia answered " + answer.status() + ": " + answer.raw().body());
        }
        return answer.json();
    }

    public Answer post(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
    }

    public Answer put(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .PUT(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
    }

    public Answer delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
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

    /** Waits for a run to end (leave QUEUED and RUNNING) and returns it as the API shows it. */
    public JsonNode awaitRun(long runId) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> !UNDER_WAY.contains(get("/api/runs/" + runId).json().get("status").asText()));
        return get("/api/runs/" + runId).json();
    }

    /** Starts a drift check of the feed and returns its id; fails unless the API answered 202. */
    public long startDrift(String feed) {
        Answer answer = post("/api/feeds/" + feed + "/drift", null);
        if (answer.status() != 202) {
            throw new AssertionError("expected 202 starting a drift check of " + feed + " but got " + answer.status()
                    + ": " + answer.raw().body());
        }
        return answer.json().get("runId").asLong();
    }

    /** Waits for a drift check to end and returns its result as {@code GET /api/runs/{id}/drift} shows it. */
    public JsonNode awaitDrift(long runId) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> !UNDER_WAY.contains(get("/api/runs/" + runId + "/drift").json().get("status").asText()));
        return get("/api/runs/" + runId + "/drift").json();
    }

    /** Runs a feed to its end. */
    public JsonNode run(String feed, String body) {
        return awaitRun(startRun(feed, body));
    }

    public JsonNode run(String feed) {
        return run(feed, null);
    }

    private Answer send(HttpRequest.Builder request) {
        credentials.forEach(request::header);
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            boolean isJson = response.headers().firstValue("Content-Type").orElse("").contains("json");
            JsonNode json = body == null || body.isBlank() || !isJson ? null : JSON.readTree(body);
            return new Answer(response.statusCode(), response, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
