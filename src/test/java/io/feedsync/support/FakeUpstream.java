package io.feedsync.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP upstream on a loopback port, speaking the export protocols feedsync consumes.
 * A path is {@code /<style>/<dataset>}, the style being its pagination:
 * <ul>
 *   <li>{@code all} — one document {@code {"epa_clients": [...]}};</li>
 *   <li>{@code page} — {@code ?page=N&size=S}, 1-based, short or empty page at the end;</li>
 *   <li>{@code link} — {@code ?page=N&per_page=S} with RFC 8288 {@code Link: <…>; rel="next"};</li>
 *   <li>{@code offset} — {@code ?offset=N&limit=S};</li>
 *   <li>{@code cursor} — {@code {"data": [...], "meta": {"next_cursor": "…"}}}, cursor sent back as {@code ?cursor=};</li>
 *   <li>{@code next} — Django REST style {@code {"count": N, "next": "<url>", "results": [...]}}.</li>
 * </ul>
 * Tests script credentials it demands, statuses it answers and delays it takes.
 */
public final class FakeUpstream implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, List<ObjectNode>> datasets = new ConcurrentHashMap<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Duration delay = Duration.ZERO;
    /** Export requests being answered now, and the most at once since the last reset. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile Predicate<Request> authorized = request -> true;
    public static final String TOKEN_PATH = "/oauth/token";
    private final Map<String, Instant> liveTokens = new ConcurrentHashMap<>();
    private final List<Request> tokenRequests = new CopyOnWriteArrayList<>();
    private volatile String tokenClient;
    private volatile Map<String, String> tokenClientForm;
    private volatile boolean ignoreSince;
    private volatile Duration tokenLifetime = Duration.ofMinutes(5);

    /** A request as the upstream saw it. */
    public record Request(String path, Map<String, String> query, Map<String, List<String>> headers, Instant at) {

        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        public int page() {
            return Integer.parseInt(query.getOrDefault("page", "1"));
        }
    }

    private record Fault(Predicate<Request> matches, int status, String body, Map<String, String> headers,
                         AtomicInteger remaining) {
    }

    private FakeUpstream(HttpServer server) {
        this.server = server;
    }

    public static FakeUpstream start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            FakeUpstream upstream = new FakeUpstream(server);
            server.createContext("/", upstream::handle);
            server.setExecutor(Executors.newCachedThreadPool());
            server.start();
            return upstream;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public void dataset(String name, List<ObjectNode> records) {
        datasets.put(name, new CopyOnWriteArrayList<>(records));
    }

    public List<ObjectNode> dataset(String name) {
        return datasets.get(name);
    }

    /** Answers {@code status} with {@code body} to the next {@code times} requests matching. */
    public void fail(Predicate<Request> matches, int status, String body, Map<String, String> headers, int times) {
        faults.add(new Fault(matches, status, body, headers, new AtomicInteger(times)));
    }

    public void fail(Predicate<Request> matches, int status, int times) {
        fail(matches, status, "{\"error\":\"scripted failure\"}", Map.of(), times);
    }

    public void failAlways(Predicate<Request> matches, int status) {
        fail(matches, status, Integer.MAX_VALUE);
    }

    /**
     * Answers requests for {@code path} (and below) with {@code handler} instead of a dataset: for
     * answers no export protocol gives, such as a body of any size, shape or content type, streamed
     * as the handler likes. Replaces an earlier handler of the same path.
     */
    public void serve(String path, HttpHandler handler) {
        try {
            server.removeContext(path);
        } catch (IllegalArgumentException none) {
            // nothing served there yet
        }
        server.createContext(path, handler);
    }

    /** Behaves as an upstream that does not filter by {@code ?since=}: it sends everything. */
    public void ignoreSince() {
        ignoreSince = true;
    }

    public void delay(Duration delay) {
        this.delay = delay;
    }

    public void requireHeader(String name, String value) {
        authorized = request -> value.equals(request.header(name));
    }

    public void requireQueryParam(String name, String value) {
        authorized = request -> value.equals(request.query().get(name));
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The most export requests answered at once since the last reset (with a delay, how many runs fetched together). */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    public void reset() {
        faults.clear();
        requests.clear();
        datasets.clear();
        delay = Duration.ZERO;
        maxInFlight.set(inFlight.get());
        authorized = request -> true;
        tokenClient = null;
        tokenClientForm = null;
        ignoreSince = false;
        liveTokens.clear();
        tokenRequests.clear();
        resets.clear();
        changes.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        if (rawFront != null) {
            rawFront.close();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            Request request = new Request(uri.getPath(), query(uri), Map.copyOf(exchange.getRequestHeaders()),
                    Instant.now());
            if (uri.getPath().equals(TOKEN_PATH)) {
                issueToken(exchange, request);
                return;
            }
            requests.add(request);
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                if (!delay.isZero()) {
                    sleep(delay);
                }
                answer(exchange, uri, request);
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    private void answer(HttpExchange exchange, URI uri, Request request) throws IOException {
        applyChanges(request);
        if (!authorized.test(request)) {
            send(exchange, 401, "{\"error\":\"unauthorized\"}", Map.of());
            return;
        }
        for (Fault fault : faults) {
            if (fault.matches().test(request) && fault.remaining().getAndDecrement() > 0) {
                send(exchange, fault.status(), fault.body(), fault.headers());
                return;
            }
        }
        String[] parts = uri.getPath().split("/");
        if (parts.length != 3 || !datasets.containsKey(parts[2])) {
            send(exchange, 404, "{\"error\":\"no such export\"}", Map.of());
            return;
        }
        serve(exchange, parts[1], since(datasets.get(parts[2]), request), request);
    }

    /** With {@code ?since=}, only records whose {@code last_validated_at} is at or after it (an incremental export's cursor). */
    private List<ObjectNode> since(List<ObjectNode> records, Request request) {
        String since = request.query().get("since");
        if (since == null || ignoreSince) {
            return records;
        }
        return records.stream()
                .filter(r -> r.hasNonNull("last_validated_at")
                        && Instant.parse(r.get("last_validated_at").asText()).compareTo(Instant.parse(since)) >= 0)
                .toList();
    }

    /**
     * Acts as an OAuth2 authorization server too: {@value #TOKEN_PATH} issues tokens for the
     * client credentials given (HTTP Basic, or {@code client_id} and {@code client_secret} in the
     * form), living {@code lifetime}; pages then demand a live one.
     */
    public void oauth2(String clientId, String clientSecret, Duration lifetime) {
        String expected = "Basic " + java.util.Base64.getEncoder()
                .encodeToString((clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
        tokenClient = expected;
        tokenClientForm = Map.of("client_id", clientId, "client_secret", clientSecret);
        tokenLifetime = lifetime;
        authorized = request -> {
            String header = request.header("Authorization");
            Instant expiry = header == null ? null : liveTokens.get(header.replaceFirst("^Bearer ", ""));
            return expiry != null && Instant.now().isBefore(expiry);
        };
    }

    /** Makes every token issued so far unacceptable, as an authorization server that rotated its keys. */
    public void revokeTokens() {
        liveTokens.clear();
    }

    public int tokensIssued() {
        return tokenRequests.size();
    }

    public List<Request> tokenRequests() {
        return List.copyOf(tokenRequests);
    }

    private void issueToken(HttpExchange exchange, Request request) throws IOException {
        tokenRequests.add(request);
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> form = query(URI.create("?" + body));
        boolean client = tokenClient != null && (tokenClient.equals(request.header("Authorization"))
                || tokenClientForm.get("client_id").equals(form.get("client_id"))
                && tokenClientForm.get("client_secret").equals(form.get("client_secret")));
        if (!client || !body.contains("grant_type=client_credentials")) {
            send(exchange, 401, "{\"error\":\"invalid_client\"}", Map.of());
            return;
        }
        String token = "tok-" + java.util.UUID.randomUUID();
        liveTokens.put(token, Instant.now().plus(tokenLifetime));
        send(exchange, 200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                + tokenLifetime.toSeconds() + "}", Map.of());
    }

    private void serve(HttpExchange exchange, String style, List<ObjectNode> records, Request request)
            throws IOException {
        Map<String, String> query = request.query();
        Map<String, String> headers = new HashMap<>();
        ObjectNode body = JSON.createObjectNode();
        switch (style) {
            case "all" -> body.set("epa_clients", array(records, 0, records.size()));
            case "page" -> {
                int size = Integer.parseInt(query.get("size"));
                int page = Integer.parseInt(query.get("page"));
                body.set("epa_clients", array(records, (page - 1) * size, size));
            }
            case "link" -> {
                int size = Integer.parseInt(query.getOrDefault("per_page", "10"));
                int page = Integer.parseInt(query.getOrDefault("page", "1"));
                body.set("epa_clients", array(records, (page - 1) * size, size));
                String base = url(request.path()) + "?per_page=" + size + "&page=";
                String last = "<" + base + Math.max(1, (records.size() + size - 1) / size) + ">; rel=\"last\"";
                headers.put("Link", page * size < records.size()
                        ? last + ", <" + base + (page + 1) + ">; rel=\"next\"" : last);
            }
            case "offset" -> {
                int limit = Integer.parseInt(query.get("limit"));
                int offset = Integer.parseInt(query.get("offset"));
                body.set("epa_clients", array(records, offset, limit));
            }
            case "cursor" -> {
                int from = Integer.parseInt(query.getOrDefault("cursor", "0"));
                int size = 3;
                body.set("data", array(records, from, size));
                ObjectNode meta = body.putObject("meta");
                if (from + size < records.size()) {
                    meta.put("next_cursor", String.valueOf(from + size));
                } else {
                    meta.putNull("next_cursor");
                }
            }
            case "next" -> {
                int page = Integer.parseInt(query.getOrDefault("page", "1"));
                int size = 4;
                body.put("count", records.size());
                if (page * size < records.size()) {
                    body.put("next", request.path() + "?page=" + (page + 1));
                } else {
                    body.putNull("next");
                }
                body.set("results", array(records, (page - 1) * size, size));
            }
            default -> {
                send(exchange, 404, "{\"error\":\"no such style\"}", Map.of());
                return;
            }
        }
        send(exchange, 200, JSON.writeValueAsString(body), headers);
    }

    private static ArrayNode array(List<ObjectNode> records, int from, int size) {
        ArrayNode array = JSON.createArrayNode();
        for (int i = Math.max(0, from); i < Math.min(records.size(), from + size); i++) {
            array.add(records.get(i));
        }
        return array;
    }

    private static void send(HttpExchange exchange, int status, String body, Map<String, String> headers)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach(exchange.getResponseHeaders()::set);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> query = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
        }
        return query;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Export records shaped like epa_gateway's epa_clients export (the demo feed's). */
    public static List<ObjectNode> plans(int count, String version) {
        List<ObjectNode> records = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            records.add(plan(id, version));
        }
        return records;
    }

    /** A plan record carrying an incremental cursor, {@code last_validated_at}. */
    public static ObjectNode plan(int id, String version, Instant validatedAt) {
        ObjectNode record = plan(id, version);
        record.put("last_validated_at", validatedAt.toString());
        return record;
    }

    public static ObjectNode plan(int id, String version) {
        ObjectNode record = JSON.createObjectNode();
        record.put("id", id);
        record.put("key", "Payer_" + id);
        record.put("version", version);
        record.put("outgoing_url", "https://payer" + id + ".example.org/epa");
        ObjectNode certificate = record.putArray("client_certificates").addObject();
        certificate.put("id", 1000 + id);
        certificate.put("direction", "incoming");
        return record;
    }

    // Faults beyond statuses: data that changes while a run pages through, and connections reset
    // mid-body (which the com.sun server cannot do, hence the raw front).

    private record Change(Predicate<Request> matches, Runnable change, AtomicBoolean done) {
    }

    private record Reset(Predicate<Request> matches, AtomicInteger remaining) {
    }

    private final List<Change> changes = new CopyOnWriteArrayList<>();
    private final List<Reset> resets = new CopyOnWriteArrayList<>();
    private volatile RawFront rawFront;

    /**
     * Runs {@code change} once, just before the first request matching is served, e.g. page 2:
     * an upstream whose data changes while a run pages through it.
     */
    public void changeBeforeServing(Predicate<Request> matches, Runnable change) {
        changes.add(new Change(matches, change, new AtomicBoolean()));
    }

    /**
     * The URL of {@code path} through this upstream's raw TCP front: the same datasets, faults and
     * delays, one request per connection, and the faults of {@link #resetMidBody}.
     */
    public synchronized String rawUrl(String path) {
        if (rawFront == null) {
            rawFront = RawFront.start(URI.create(url("")), this::resetNow);
        }
        return "http://127.0.0.1:" + rawFront.port() + path;
    }

    /**
     * Through {@link #rawUrl}: the next {@code times} responses to requests matching send their
     * status, headers and body up to the middle of its last record, then reset the TCP
     * connection (RST).
     */
    public void resetMidBody(Predicate<Request> matches, int times) {
        resets.add(new Reset(matches, new AtomicInteger(times)));
    }

    public void resetMidBodyAlways(Predicate<Request> matches) {
        resetMidBody(matches, Integer.MAX_VALUE);
    }

    private boolean resetNow(URI target, Map<String, List<String>> headers) {
        Request request = new Request(target.getPath(), query(target), headers, Instant.now());
        return resets.stream().anyMatch(reset -> reset.matches().test(request) && reset.remaining().getAndDecrement() > 0);
    }

    private void applyChanges(Request request) {
        for (Change change : changes) {
            if (change.matches().test(request) && change.done().compareAndSet(false, true)) {
                change.change().run();
            }
        }
    }
}
