package io.feedsync.notify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * A webhook receiver on the test's loopback HTTP server: keeps every request it gets, and answers
 * 204, or 503 while it is down. It checks signatures the way a receiver's own code would, with
 * nothing of feedsync's.
 */
public final class WebhookReceiver implements HttpHandler {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SIGNATURE = Pattern.compile("t=(\\d+),v1=([0-9a-f]{64})");

    public record Received(String eventId, String signature, String contentType, byte[] body, boolean accepted) {

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile boolean down;
    private volatile int acceptAtMost = Integer.MAX_VALUE;

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        boolean accepted = !down && accepted().size() < acceptAtMost;
        received.add(new Received(exchange.getRequestHeaders().getFirst("X-Feedsync-Event-Id"),
                exchange.getRequestHeaders().getFirst("X-Feedsync-Signature"),
                exchange.getRequestHeaders().getFirst("Content-Type"), body, accepted));
        exchange.sendResponseHeaders(accepted ? 204 : 503, -1);
        exchange.close();
    }

    public void down(boolean down) {
        this.down = down;
    }

    /** Answers 503 once it accepted that many requests (to fail in the middle of a batch). */
    void acceptAtMost(int requests) {
        this.acceptAtMost = requests;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> accepted() {
        return received.stream().filter(Received::accepted).toList();
    }

    /** Whether the signature header is {@code t=<seconds>,v1=<HMAC-SHA256 of "t.body">} under the secret. */
    public static boolean verifies(String header, byte[] body, String secret) {
        Matcher parts = header == null ? null : SIGNATURE.matcher(header);
        if (parts == null || !parts.matches()) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((parts.group(1) + ".").getBytes(StandardCharsets.UTF_8));
            byte[] expected = mac.doFinal(body);
            StringBuilder hex = new StringBuilder();
            for (byte b : expected) {
                hex.append(String.format("%02x", b));
            }
            return java.security.MessageDigest.isEqual(hex.toString().getBytes(StandardCharsets.US_ASCII),
                    parts.group(2).getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    public static long timestamp(String header) {
        Matcher parts = SIGNATURE.matcher(header);
        if (!parts.matches()) {
            throw new AssertionError("not a signature: " + header);
        }
        return Long.parseLong(parts.group(1));
    }
}
