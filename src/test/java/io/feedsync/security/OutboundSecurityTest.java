package io.feedsync.security;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import io.feedsync.api.security.SecurityConfigException;
import io.feedsync.run.DefinedFeeds;
import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.StartupCheck;
import io.feedsync.support.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Where a feed may connect, as an operator key would try it: a feed defined over the API cannot
 * reach this node's own API, the database's port or a link-local address (not with its pages, its
 * OAuth2 token or its webhooks, not through a name such as {@code localhost}), and a node with
 * {@code feedsync.security.allowed-hosts} connects only there; a next page on another host, of any
 * feed, gets none of the feed's credentials. An attacker's listener on loopback records what it gets.
 */
@Import(OutboundSecurityTest.RequestsToThisNode.class)
@TestPropertySource(properties = {
        "FEEDSYNC_SECRET_OPERATOR_KEY=" + Api.OPERATOR_KEY,
        "FEEDSYNC_SECRET_LEAK_TOKEN=" + OutboundSecurityTest.TOKEN,
        "FEEDSYNC_SECRET_LEAK_PASSWORD=" + OutboundSecurityTest.PASSWORD,
        "FEEDSYNC_SECRET_LEAK_KEY=" + OutboundSecurityTest.KEY})
class OutboundSecurityTest extends FeedsyncTest {

    static final String TOKEN = "tok-Leak-Bearer-3c4d5e6f7a8b";
    static final String PASSWORD = "pw-Leak-Basic-9a8b7c6d5e4f";
    static final String KEY = "key-Leak-ApiKey-1f2e3d4c5b6a";

    /** Requests this node's web server got from anything but the test's own client (java.net.http). */
    static final List<String> FROM_FEEDSYNC = new CopyOnWriteArrayList<>();
    /** A second loopback server, on another port, that keeps every request it gets. */
    static final FakeUpstream attacker = FakeUpstream.start();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the feed's own upstream got with each page under /leak: its credential headers and query. */
    private final List<Map<String, String>> atHome = new CopyOnWriteArrayList<>();

    @Autowired
    DefinedFeeds defined;

    @TestConfiguration
    static class RequestsToThisNode {

        @Bean
        FilterRegistrationBean<Filter> requestsNotFromTheTest() {
            FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
                HttpServletRequest http = (HttpServletRequest) request;
                String agent = String.valueOf(http.getHeader("User-Agent"));
                if (!agent.startsWith("Java-http-client")) {
                    FROM_FEEDSYNC.add(http.getMethod() + " " + http.getRequestURI() + " (" + agent + ")");
                }
                chain.doFilter(request, response);
            });
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
            return registration;
        }
    }

    /** Feeds of the configuration whose next page is on the attacker's port, one per kind of credential. */
    @DynamicPropertySource
    static void configuredFeeds(DynamicPropertyRegistry registry) {
        Map<String, Map<String, String>> auths = Map.of(
                "bearer", Map.of("type", "bearer", "token", TOKEN),
                "basic", Map.of("type", "basic", "username", "partner", "password", PASSWORD),
                "api-key", Map.of("type", "api-key", "key", KEY),
                "api-key-query", Map.of("type", "api-key", "key", KEY, "query-param", "api_key"));
        auths.forEach((auth, keys) -> {
            String feed = "feedsync.feeds.leak-config-" + auth;
            registry.add(feed + ".mode", () -> "full");
            registry.add(feed + ".source.url", () -> upstream.url("/leak/plans"));
            registry.add(feed + ".source.records", () -> "/epa_clients");
            registry.add(feed + ".source.pagination.type", () -> "link-header");
            keys.forEach((key, value) -> registry.add(feed + ".source.auth." + key, () -> value));
            registry.add(feed + ".transform.mapping.epa_type", () -> "/key");
            registry.add(feed + ".transform.mapping.ncpdp_version", () -> "/version");
            registry.add(feed + ".target.table", () -> table("leak-config-" + auth));
            registry.add(feed + ".target.key[0]", () -> "epa_type");
            registry.add(feed + ".target.create", () -> "true");
        });
    }

    @BeforeEach
    @AfterEach
    void noDefinedFeeds() {
        jdbc.update("delete from sync_feed_definition");
        defined.reconcile();
    }

    @BeforeEach
    void listeners() {
        FROM_FEEDSYNC.clear();
        attacker.reset();
        attacker.dataset("stolen", List.of());
        atHome.clear();
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));
        upstream.serve("/leak", this::pageWithANextPageOnTheAttackersPort);
    }

    @Test
    void aFeedCannotReadThisNodesOwnApi() {
        String url = "http://127.0.0.1:" + port + "/api/feeds";
        ObjectNode feed = feed("own-api", url);
        source(feed).set("auth", auth("{\"type\": \"api-key\", \"key\": \"${FEEDSYNC_SECRET_OPERATOR_KEY}\"}"));
        define("own-api", feed);

        JsonNode run = api.run("own-api");

        assertRefused(run, "connection to 127.0.0.1:" + port + " refused: 127.0.0.1:" + port + " is a port of this node's own");
        assertThat(run.get("error").get("url").asText()).isEqualTo(url);
        assertThat(FROM_FEEDSYNC).as("requests the node got from feedsync").isEmpty();
    }

    @Test
    void aNameThatResolvesToThisNodeIsRefusedToo() {
        ObjectNode feed = feed("own-api-by-name", "http://localhost:" + port + "/api/feeds");
        source(feed).set("auth", auth("{\"type\": \"bearer\", \"token\": \"${FEEDSYNC_SECRET_OPERATOR_KEY}\"}"));
        define("own-api-by-name", feed);

        JsonNode run = api.run("own-api-by-name");

        assertRefused(run, "connection to localhost:" + port + " refused: ");
        assertThat(run.get("error").get("message").asText()).contains(":" + port + " is a port of this node's own");
        assertThat(FROM_FEEDSYNC).isEmpty();
    }

    @Test
    void aFeedCannotProbeTheDatabasesPort() {
        URI database = URI.create(TestDatabase.url().substring("jdbc:".length()));
        String hostAndPort = database.getHost() + ":" + database.getPort();
        define("database-port", feed("database-port", "http://" + hostAndPort + "/"));

        JsonNode run = api.run("database-port");

        assertRefused(run, "connection to " + hostAndPort + " refused: ");
        assertThat(run.get("error").get("message").asText()).contains(":" + database.getPort() + " is the database's");
        assertThat(run.get("error").get("message").asText()).doesNotContain("NoHttpResponse");
    }

    @ParameterizedTest
    @CsvSource({"metadata, http://169.254.169.254/latest/meta-data/", "metadata-v6, http://[::ffff:169.254.169.254]/latest/"})
    void aFeedCannotReachALinkLocalAddressAndDoesNotWaitForATimeout(String feed, String url) {
        ObjectNode definition = feed(feed, url);
        source(definition).put("connect-timeout", "20s");
        define(feed, definition);

        long started = System.nanoTime();
        JsonNode run = api.run(feed);

        assertRefused(run, "169.254.169.254 is a link-local address");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void theOAuth2TokenUrlCannotBeThisNode() {
        upstream.dataset("tokened", FakeUpstream.plans(2, "v1"));
        ObjectNode feed = feed("own-token-url", upstream.url("/all/tokened"));
        source(feed).set("auth", auth("""
                {"type": "oauth2-client-credentials", "token-url": "http://127.0.0.1:%d/api/feeds",
                 "client-id": "feedsync", "client-secret": "${FEEDSYNC_SECRET_LEAK_PASSWORD}"}""".formatted(port)));
        define("own-token-url", feed);

        JsonNode run = api.run("own-token-url");

        assertRefused(run, "token endpoint: connection to 127.0.0.1:" + port + " refused: 127.0.0.1:" + port
                + " is a port of this node's own");
        assertThat(run.get("error").toString()).doesNotContain(PASSWORD);
        assertThat(FROM_FEEDSYNC).isEmpty();
        assertThat(upstream.requests()).as("no page is asked for without its token").isEmpty();
    }

    @Test
    void aWebhookCannotBeThisNode() {
        upstream.dataset("hooked", FakeUpstream.plans(2, "v1"));
        ObjectNode feed = feed("own-webhook", upstream.url("/all/hooked"));
        ObjectNode notify = feed.putObject("notify");
        notify.putArray("changes").add("http://127.0.0.1:" + port + "/api/feeds");
        notify.putArray("runs").add("http://127.0.0.1:" + port + "/api/runs");
        define("own-webhook", feed);

        assertThat(api.run("own-webhook").get("status").asText()).as("its pages come from the upstream").isEqualTo("SUCCEEDED");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                api.get("/api/feeds/own-webhook/deliveries").json().get(0).get("lastError").asText())
                .contains("connection to 127.0.0.1:" + port + " refused: 127.0.0.1:" + port + " is a port of this node's own"));
        JsonNode delivery = api.get("/api/feeds/own-webhook/deliveries").json().get(0);
        assertThat(delivery.get("endpoint").asText()).as("named as written").isEqualTo("http://127.0.0.1:" + port + "/api/feeds");
        assertThat(delivery.get("pending").asLong()).as("the events wait in the outbox").isEqualTo(2);
        assertThat(FROM_FEEDSYNC).as("neither the change events nor the run's notification").isEmpty();
    }

    /** The credentials stay with the feed's source.url: the attacker's next page is asked for without them. */
    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({
            "api,    bearer",
            "api,    basic",
            "api,    api-key",
            "api,    api-key-query",
            "config, bearer",
            "config, basic",
            "config, api-key",
            "config, api-key-query"})
    void aNextPageOnAnotherHostGetsNoCredentials(String definedBy, String auth) {
        String feed = "leak-" + definedBy + "-" + auth;
        if (definedBy.equals("api")) {
            ObjectNode definition = feed(feed, upstream.url("/leak/plans"));
            source(definition).putObject("pagination").put("type", "link-header");
            source(definition).set("auth", auth(switch (auth) {
                case "bearer" -> "{\"type\": \"bearer\", \"token\": \"${FEEDSYNC_SECRET_LEAK_TOKEN}\"}";
                case "basic" -> "{\"type\": \"basic\", \"username\": \"partner\", \"password\": \"${FEEDSYNC_SECRET_LEAK_PASSWORD}\"}";
                case "api-key" -> "{\"type\": \"api-key\", \"key\": \"${FEEDSYNC_SECRET_LEAK_KEY}\"}";
                default -> "{\"type\": \"api-key\", \"key\": \"${FEEDSYNC_SECRET_LEAK_KEY}\", \"query-param\": \"api_key\"}";
            }));
            define(feed, definition);
        }

        JsonNode run = api.run(feed);

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.get("pages").asInt()).as("the next page was asked for").isEqualTo(2);
        assertThat(atHome).singleElement().asString().as("the feed's own upstream got its credential")
                .containsAnyOf(TOKEN, KEY, "Basic ");
        assertThat(attacker.requests()).singleElement().satisfies(request -> {
            assertThat(request.path()).isEqualTo("/all/stolen");
            assertThat(request.header("Authorization")).isNull();
            assertThat(request.header("X-API-Key")).isNull();
            assertThat(request.query()).doesNotContainKey("api_key");
            assertThat(request.toString()).doesNotContain(TOKEN, PASSWORD, KEY);
        });
    }

    @Test
    void aNextUrlInTheBodyOnAnotherHostGetsNoCredentialsEither() {
        ObjectNode feed = feed("leak-next-url", upstream.url("/leak/plans"));
        source(feed).putObject("pagination").put("type", "next-url").put("next-pointer", "/next");
        source(feed).set("auth", auth("{\"type\": \"bearer\", \"token\": \"${FEEDSYNC_SECRET_LEAK_TOKEN}\"}"));
        define("leak-next-url", feed);

        JsonNode run = api.run("leak-next-url");

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(attacker.requests()).singleElement().satisfies(request ->
                assertThat(request.header("Authorization")).isNull());
    }

    /**
     * A node with feedsync.security.allowed-hosts connects its API feeds only there: the upstream's
     * host:port works, another loopback port does not.
     */
    @Test
    void withAllowedHostsOnlyTheListedHostsAreReachable() {
        URI listed = URI.create(upstream.url("/"));
        upstream.dataset("listed", FakeUpstream.plans(3, "v1"));
        attacker.dataset("unlisted", FakeUpstream.plans(3, "v1"));
        Map<String, Object> node = new HashMap<>();
        node.put("feedsync.security.allowed-hosts", listed.getHost() + ":" + listed.getPort());
        node.put("feedsync.security.api-keys.test.key", Api.OPERATOR_KEY);
        node.put("feedsync.security.api-keys.test.role", "operator");
        node.put("feedsync.definitions.listen", "false");
        node.put("spring.quartz.scheduler-name", "feedsync-outbound-" + System.nanoTime());
        try (ConfigurableApplicationContext restricted = StartupCheck.start(node)) {
            Api there = new Api(Integer.parseInt(restricted.getEnvironment().getProperty("local.server.port")));
            define(there, "listed-upstream", feed("listed-upstream", upstream.url("/all/listed")));
            define(there, "unlisted-upstream", feed("unlisted-upstream", attacker.url("/all/unlisted")));

            JsonNode listedRun = there.run("listed-upstream");
            JsonNode unlistedRun = there.run("unlisted-upstream");

            assertThat(listedRun.get("status").asText()).as(listedRun.toString()).isEqualTo("SUCCEEDED");
            assertThat(listedRun.get("counts").get("inserted").asLong()).isEqualTo(3);
            assertRefused(unlistedRun, "connection to 127.0.0.1:" + URI.create(attacker.url("/")).getPort()
                    + " refused: not in feedsync.security.allowed-hosts");
            assertThat(attacker.requests()).isEmpty();
        }
    }

    @Test
    void anAllowedHostThatIsNoHostStopsStartupNamingIt() {
        Map<String, Object> node = new HashMap<>();
        node.put("feedsync.security.allowed-hosts", "partner.example.org, http://internal.example.org");
        node.put("feedsync.security.api-keys.test.key", Api.OPERATOR_KEY);
        node.put("feedsync.security.api-keys.test.role", "operator");

        assertThatThrownBy(() -> StartupCheck.start(node).close())
                .rootCause().isInstanceOf(SecurityConfigException.class)
                .hasMessage("feedsync.security.allowed-hosts[1]: 'http://internal.example.org' is not a host name, an IP"
                        + " address, a CIDR range (10.0.0.0/8) or one of the first two with a port (host:port, [v6]:port)");
    }

    private static void assertRefused(JsonNode run, String message) {
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("FAILED");
        assertThat(run.get("error").get("class").asText()).isEqualTo("PERMANENT");
        assertThat(run.get("error").get("message").asText()).contains(message);
        assertThat(run.toString()).doesNotContain(Api.OPERATOR_KEY, TOKEN, PASSWORD, KEY);
    }

    private void define(String feed, ObjectNode definition) {
        define(api, feed, definition);
    }

    private static void define(Api api, String feed, ObjectNode definition) {
        Api.Answer created = api.put("/api/feeds/" + feed, definition.toString());
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    }

    /** A full feed of the plans at {@code url}, into a table of its own that it creates; retried once if it fails. */
    private static ObjectNode feed(String name, String url) {
        ObjectNode feed = JSON.createObjectNode().put("mode", "full");
        ObjectNode source = feed.putObject("source").put("url", url).put("records", "/epa_clients");
        source.putObject("retry").put("max-attempts", 2).put("initial-backoff", "1s").put("max-backoff", "1s");
        feed.putObject("transform").putObject("mapping").put("epa_type", "/key").put("ncpdp_version", "/version");
        feed.putObject("target").put("table", table(name)).put("create", true).putArray("key").add("epa_type");
        return feed;
    }

    private static ObjectNode source(ObjectNode feed) {
        return (ObjectNode) feed.get("source");
    }

    private static ObjectNode auth(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String table(String feed) {
        return "outbound_" + feed.replace('-', '_');
    }

    /** The first page of /leak/plans: the plans, and a next page — Link header and body — on the attacker's port. */
    private void pageWithANextPageOnTheAttackersPort(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> credentials = new HashMap<>();
            for (String header : List.of("Authorization", "X-API-Key")) {
                String value = exchange.getRequestHeaders().getFirst(header);
                if (value != null) {
                    credentials.put(header, value);
                }
            }
            String query = exchange.getRequestURI().getRawQuery();
            if (query != null) {
                credentials.put("query", query);
            }
            atHome.add(credentials);
            String next = attacker.url("/all/stolen");
            byte[] body = JSON.writeValueAsBytes(JSON.createObjectNode()
                    .put("next", next)
                    .set("epa_clients", JSON.valueToTree(FakeUpstream.plans(2, "v1"))));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("Link", "<" + next + ">; rel=\"next\"");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
