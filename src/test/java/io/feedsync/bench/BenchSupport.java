package io.feedsync.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import io.feedsync.support.TestDatabase;

/** What the benchmark and the soak run share: a database of their own, a loopback upstream, query strings. */
final class BenchSupport {


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
}
