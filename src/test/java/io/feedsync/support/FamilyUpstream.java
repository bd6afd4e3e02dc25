package io.feedsync.support;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * The upstream of a parent feed and its child feed, served below {@code /family} of a {@link FakeUpstream}
 * ({@code upstream.serve("/family", family)}): {@code /family/clients} and {@code /family/clients/{id}/appointments},
 * in cursor pages of two ({@code ?cursor=N}, {@code "next"}), {@code /family/appointments?client_ids=1,2}
 * for a batch, and {@code /family/appointments/{id}/notes} (a note each, for a grandchild); it counts what it is asked and how many appointment requests it answers at once.
 */
public final class FamilyUpstream implements HttpHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Pattern APPOINTMENTS = Pattern.compile("/family/clients/(\\d+)/appointments");
    /** An appointment's notes (a grandchild): one each, {@code <appointment>-note}. */
    private static final Pattern NOTES = Pattern.compile("/family/appointments/([a-z0-9-]+)/notes");

    public final Map<Integer, ObjectNode> clients = new ConcurrentSkipListMap<>();
    public final Map<Integer, List<ObjectNode>> appointments = new ConcurrentHashMap<>();
    /** Clients whose appointments answer 404. */
    public final Set<Integer> missing = ConcurrentHashMap.newKeySet();
    /** Clients whose appointments answer 503 this many more times. */
    public final Map<Integer, AtomicInteger> failing = new ConcurrentHashMap<>();
    /** Every request below /family but the clients list's, as path and query without /family/. */
    public final List<String> requested = new CopyOnWriteArrayList<>();
    public final AtomicInteger inFlight = new AtomicInteger();
    public final AtomicInteger maxInFlight = new AtomicInteger();
    public volatile long delayMillis;

    public void client(int id, String name) {
        ObjectNode client = JSON.createObjectNode().put("id", id).put("name", name).put("region", "r" + id % 2);
        clients.put(id, client);
    }

    public void appointments(int client, int count) {
        List<ObjectNode> list = new CopyOnWriteArrayList<>();
        for (int n = 1; n <= count; n++) {
            list.add(JSON.createObjectNode().put("id", "a" + client + "-" + n).put("client_id", client)
                    .put("starts_at", "2026-12-0" + (n % 9 + 1) + "T09:00:00Z"));
        }
        appointments.put(client, list);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String query = exchange.getRequestURI().getRawQuery();
        int cursor = query != null && query.startsWith("cursor=") ? Integer.parseInt(query.substring(7)) : 0;
        if (path.equals("/family/clients")) {
            page(exchange, new ArrayList<>(clients.values()), cursor);
            return;
        }
        requested.add(path.substring("/family/".length()) + (query == null ? "" : "?" + query));
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (path.equals("/family/appointments")) {
                List<ObjectNode> all = new ArrayList<>();
                for (String id : query.substring("client_ids=".length()).split(",")) {
                    all.addAll(appointments.getOrDefault(Integer.parseInt(id), List.of()));
                }
                send(exchange, 200, body(all, null));
                return;
            }
            Matcher notes = NOTES.matcher(path);
            if (notes.matches()) {
                send(exchange, 200, body(List.of(JSON.createObjectNode().put("id", notes.group(1) + "-note")), null));
                return;
            }
            Matcher matcher = APPOINTMENTS.matcher(path);
            int client = matcher.matches() ? Integer.parseInt(matcher.group(1)) : -1;
            AtomicInteger failures = failing.get(client);
            if (failures != null && failures.getAndDecrement() > 0) {
                send(exchange, 503, "{\"error\":\"busy\"}");
            } else if (client < 0 || missing.contains(client) || !appointments.containsKey(client)) {
                send(exchange, 404, "{\"error\":\"no such client\"}");
            } else {
                page(exchange, appointments.get(client), cursor);
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static void page(HttpExchange exchange, List<ObjectNode> records, int from) throws IOException {
        int to = Math.min(records.size(), from + 2);
        send(exchange, 200, body(records.subList(Math.min(from, to), to), to < records.size() ? String.valueOf(to) : null));
    }

    private static String body(List<ObjectNode> records, String next) {
        ObjectNode page = JSON.createObjectNode();
        ArrayNode items = page.putArray("items");
        records.forEach(items::add);
        page.put("next", next);
        return page.toString();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
