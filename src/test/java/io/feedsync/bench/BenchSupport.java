package io.feedsync.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.feedsync.support.TestDatabase;

/**
 * What the benchmark, the soak run and many feeds share: a database of their own, a loopback upstream,
 * query strings, feedsync started from the built jar in a JVM of its own, and the results file.
 */
final class BenchSupport {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BenchSupport() {
    }

    /**
     * A new, empty database {@code name} on the harness's PostgreSQL (TestDatabase's embedded one, or
     * FEEDSYNC_TEST_DATABASE_URL), dropped first if it is there; its JDBC URL.
     */
    static String fresh(String name) throws SQLException {
        return TestDatabase.fresh(name);
    }

    static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(TestDatabase.withOwnSchema(url), TestDatabase.username(), TestDatabase.password());
    }

    /**
     * A started HTTP server on a loopback port, serving {@code handler} at {@code path}. With
     * TCP_NODELAY, as production servers run: without it the last small write of a page can wait
     * for the client's delayed ACK (Nagle), and the faster the client reads, the more pages wait.
     */
    static HttpServer loopbackServer(String path, HttpHandler handler, Executor executor) {
        // read once, when the JDK's server first loads its configuration
        System.setProperty("sun.net.httpserver.nodelay", "true");
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            server.createContext(path, handler);
            server.setExecutor(executor);
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A request's query parameters, decoded. */
    static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return query;
    }

    /** Writes the result as {@code <outDir>/<UTC timestamp>-<suffix>.json} and says where; the file. */
    static Path writeResult(Path outDir, String suffix, Map<String, Object> result) throws IOException {
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path file = outDir.resolve(stamp + "-" + suffix + ".json");
        JSON.writeValue(file.toFile(), result);
        Benchmark.log("results written to " + file);
        return file;
    }

    /** feedsync started from the built jar: its process, its port, its operator key and its log. */
    record Launched(Process process, int port, String key, Path log) {
    }

    /**
     * Starts feedsync from {@code jar} in a JVM of its own ({@code -Xmx<heap>}), working in {@code work}
     * on a free loopback port, with a random operator key, the database's password in its environment,
     * and {@code args} after the profile, port and datasource; stopped with the harness (Ctrl-C), not left
     * running against a database that is gone. {@code starting} is logged with where its log goes.
     */
    static Launched launch(String jar, String heap, String profile, String databaseUrl, List<String> args, Path work,
                           String starting) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String key = HexFormat.of().formatHex(secret);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap,
                "-jar", Path.of(jar).toAbsolutePath().toString(),
                "--spring.profiles.active=" + profile,
                "--server.port=" + port,
                "--spring.datasource.url=" + databaseUrl,
                "--spring.datasource.username=" + TestDatabase.username()));
        command.addAll(args);
        Path log = work.resolve("feedsync.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("FEEDSYNC_OPERATOR_KEY", key);
        builder.environment().put("SPRING_DATASOURCE_PASSWORD", TestDatabase.password());
        Benchmark.log(starting + " (log in " + log + ")");
        Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process)));
        return new Launched(process, port, key, log);
    }

    /** Stops the process: asked first, then forced after 30 s. */
    static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Answers a loopback upstream's request with {@code json} and {@code status}. */
    static void sendJson(com.sun.net.httpserver.HttpExchange exchange, int status, String json) throws java.io.IOException {
        byte[] body = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (java.io.OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * Waits until {@code status} (of {@code GET /api/feeds}) answers 200: the node's API is up; {@code alive}
     * (which throws once the JVM has exited) is checked before each try.
     */
    static void awaitReady(java.time.Duration timeout, Runnable alive, java.util.concurrent.Callable<Integer> status,
                           String who) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            alive.run();
            try {
                if (status.call() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(who + " did not start within " + timeout);
    }
}
