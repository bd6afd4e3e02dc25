package io.feedsync.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A feedsync node's API as a benchmark calls it: on loopback, with its operator key. */
final class BenchApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final int port;
    private final String key;
    private final Duration timeout;

    BenchApi(int port, String key, Duration timeout) {
        this.port = port;
        this.key = key;
        this.timeout = timeout;
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout)
                .header("X-API-Key", key);
    }

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET().build());
    }

    /** The first measurement of an actuator metric ({@code jvm.memory.used?tag=area:heap}). */
    double metric(String nameAndTags) throws Exception {
        HttpResponse<String> answer = get("/actuator/metrics/" + nameAndTags);
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("metric " + nameAndTags + " answered " + answer.statusCode());
        }
        return JSON.readTree(answer.body()).path("measurements").path(0).path("value").asDouble();
    }

    /** A Jolokia request (JSON), answered with status 200, or an exception. */
    JsonNode jolokia(String request) throws Exception {
        HttpResponse<String> answer = send(request("/actuator/jolokia").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request)).build());
        JsonNode json = JSON.readTree(answer.body());
        if (answer.statusCode() != 200 || json.path("status").asInt() != 200) {
            throw new IllegalStateException("jolokia " + request + " answered " + answer.body());
        }
        return json;
    }
}
