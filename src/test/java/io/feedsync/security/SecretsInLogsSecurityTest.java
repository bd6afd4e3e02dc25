package io.feedsync.security;

import java.lang.management.ManagementFactory;
import java.net.URLEncoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.management.Attribute;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.util.UriUtils;

import io.feedsync.support.Api;
import io.feedsync.support.CallerSecrets;
import io.feedsync.support.DeliversChanges;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.UpstreamSecrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * No secret reaches the log, whatever is switched on: every logger at DEBUG from the start (the HTTP
 * client's headers and wire, Tomcat's request parsing, the JDK's HttpURLConnection, Spring's request
 * details), Camel's tracer, backlog tracer, message history and exhausted-exchange dumps; and, in a
 * node started without tracing, the tracer switched on over JMX (as a console user could) before a
 * feed is defined over the API. Feeds of every auth type run succeeding, dead-lettering a record and
 * failing; callers present keys and passwords, right and wrong; a webhook signs with a secret. Then
 * the whole log is searched for every secret: as written, URL-encoded, and as a basic header carries it.
 */
@ExtendWith(OutputCaptureExtension.class)
@DeliversChanges
// its tracers hold what they traced: closed after the class, not cached for others
@DirtiesContext
@TestPropertySource(properties = {
        // every logging and tracing switch a configuration can turn on
        "logging.level.root=DEBUG",
        "camel.main.tracing=true",
        "camel.main.tracing-templates=true",
        "camel.main.message-history=true",
        "camel.main.log-exhausted-message-body=true",
        "camel.trace.enabled=true",
        "spring.mvc.log-request-details=true"})
class SecretsInLogsSecurityTest extends FeedsyncTest {

    // secrets whose URL-encoded and Base64 forms differ from them
    private static final String TOKEN = "tokLogs-Trace.9d8c/7b+6a==";
    private static final String PASSWORD = "pw Logs:\u00c4/\u00df&5e4f";
    private static final String HEADER_KEY = "hk-Logs-Header-3c2d1e";
    private static final String QUERY_KEY = "qk=Logs&Query 8b/9c";
    private static final String CLIENT_SECRET = "cs+Logs/Form=Secret&42";
    private static final String USER = "logs-user";
    private static final String CLIENT = "logs-client";
    private static final String FEED = "traced";

    /**
     * The secrets of the feed defined over the API (below), as a node's environment gives them; not
     * in the test's inlined properties, which Spring's test events print at DEBUG.
     */
    @DynamicPropertySource
    static void secrets(DynamicPropertyRegistry registry) {
        registry.add("FEEDSYNC_SECRET_LOGS_TOKEN", () -> TOKEN);
        registry.add("FEEDSYNC_SECRET_LOGS_PASSWORD", () -> PASSWORD);
        registry.add("FEEDSYNC_SECRET_LOGS_HEADER_KEY", () -> HEADER_KEY);
        registry.add("FEEDSYNC_SECRET_LOGS_QUERY_KEY", () -> QUERY_KEY);
        registry.add("FEEDSYNC_SECRET_LOGS_CLIENT_SECRET", () -> CLIENT_SECRET);
    }

    @AfterAll
    static void quietAgain() {
        // the logging system is the JVM's: the test applications that follow log at INFO again
        ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
    }

    @Test
    void noSecretOfAnUpstreamACallerOrAWebhookIsLoggedWithEverySwitchOnFromTheStart(CapturedOutput output) {
        upstream.serve("/hooks/changes", exchange -> {
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));
        api.run("plans-notify");
        await().atMost(Duration.ofSeconds(30)).until(() -> output.getAll().contains("delivering the change event after"));
        UpstreamSecrets.Runs runs = UpstreamSecrets.runEveryAuthType(api, upstream);
        CallerSecrets.presentEveryKind(api);

        String log = output.getAll();
        assertThat(log).as("the tracer showed the request's credential header, masked").contains("Authorization=****");
        assertThat(log).as("the HTTP client's DEBUG logger showed it, masked").contains(">> Authorization: Bearer ****");
        assertThat(runs.issuedTokens()).as("the OAuth2 feed was given tokens").isNotEmpty();
        assertNoSecretIn(log, Stream.of(UpstreamSecrets.CONFIGURED, runs.issuedTokens(), CallerSecrets.ALL)
                .flatMap(List::stream).toList());
    }

    /**
     * A node started with every logger at DEBUG but without tracing; a console user switches it on over JMX,
     * then defines a feed of each auth type and runs it.
     */
    @Nested
    @DisableJmx(false)
    @DirtiesContext
    @TestPropertySource(properties = {"camel.main.tracing=false", "camel.trace.enabled=false",
            // a second application exporting to this JVM's MBean server
            "spring.jmx.unique-names=true"})
    class TracingSwitchedOnOverJmx {

        @LocalServerPort
        private int nodePort;

        @Autowired
        private CamelContext camel;

        @Test
        void aFeedDefinedAfterwardsLogsNoSecretOfAnyAuthType(CapturedOutput output) throws Exception {
            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            ObjectName context = new ObjectName("org.apache.camel:context=" + camel.getManagementName()
                    + ",type=context,name=" + ObjectName.quote(camel.getName()));
            assertThat(jmx.getAttribute(context, "Tracing")).isEqualTo(false);
            jmx.setAttribute(context, new Attribute("Tracing", true));
            Api node = new Api(nodePort);
            List<String> tokens = new ArrayList<>();
            try {
                runDefined(node, "{\"type\": \"bearer\", \"token\": \"${FEEDSYNC_SECRET_LOGS_TOKEN}\"}",
                        () -> upstream.requireHeader("Authorization", "Bearer " + TOKEN));
                runDefined(node, "{\"type\": \"basic\", \"username\": \"" + USER
                                + "\", \"password\": \"${FEEDSYNC_SECRET_LOGS_PASSWORD}\"}",
                        () -> upstream.requireHeader("Authorization", "Basic " + basic(USER, PASSWORD, StandardCharsets.UTF_8)));
                runDefined(node, "{\"type\": \"api-key\", \"key\": \"${FEEDSYNC_SECRET_LOGS_HEADER_KEY}\", \"header\": \"X-Logs-Key\"}",
                        () -> upstream.requireHeader("X-Logs-Key", HEADER_KEY));
                runDefined(node, "{\"type\": \"api-key\", \"key\": \"${FEEDSYNC_SECRET_LOGS_QUERY_KEY}\", \"query-param\": \"key\"}",
                        () -> upstream.requireQueryParam("key", QUERY_KEY));
                runDefined(node, "{\"type\": \"oauth2-client-credentials\", \"token-url\": \"" + upstream.url(FakeUpstream.TOKEN_PATH)
                                + "\", \"client-id\": \"" + CLIENT + "\", \"client-secret\": \"${FEEDSYNC_SECRET_LOGS_CLIENT_SECRET}\","
                                + " \"client-authentication\": \"form\"}",
                        () -> upstream.oauth2(CLIENT, CLIENT_SECRET, Duration.ofMinutes(5)));
                tokens.addAll(UpstreamSecrets.issuedTokens(upstream));
            } finally {
                node.delete("/api/feeds/" + FEED);
            }

            String log = output.getAll();
            // The routes every feed runs through were built before the switch, and a tracer switched on at runtime
            // traces no route built before it (Camel's tracing standby is off): the runs are not traced. What a
            // traced run writes is the outer class's case (tracing on from the start), so here only the absence
            // of every secret is checked.
            assertThat(tokens).as("the OAuth2 version was given a token").isNotEmpty();
            List<String> secrets = new ArrayList<>(tokens);
            for (String secret : List.of(TOKEN, PASSWORD, HEADER_KEY, QUERY_KEY, CLIENT_SECRET)) {
                secrets.addAll(encodings(secret));
            }
            for (Charset charset : List.of(StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1)) {
                secrets.add(basic(USER, PASSWORD, charset));
                secrets.add(basic(CLIENT, CLIENT_SECRET, charset));
            }
            assertNoSecretIn(log, secrets);
        }

        /**
         * Defines (or redefines) the feed with {@code auth} and runs it: once succeeding with a record
         * PostgreSQL rejects (dead-lettered), once on an upstream answering 500, once on a login page
         * answered with 200.
         */
        private void runDefined(Api node, String auth, Runnable upstreamDemands) {
            upstream.reset();
            List<ObjectNode> records = new ArrayList<>(FakeUpstream.plans(3, "v1"));
            records.get(2).put("version", "rejected-by-db");
            upstream.dataset("plans", records);
            upstreamDemands.run();
            Api.Answer defined = node.put("/api/feeds/" + FEED, """
                    {"source": {"url": "%s", "records": "/epa_clients", "auth": %s,
                                "retry": {"max-attempts": 2, "initial-backoff": "100ms", "max-backoff": "200ms"}},
                     "transform": {"mapping": {"epa_type": "/key", "ncpdp_version": "/version", "gateway_id": "/id"}},
                     "target": {"table": "traced_plans", "key": ["epa_type"]}}""".formatted(upstream.url("/all/plans"), auth));
            assertThat(defined.status()).as(defined.raw().body()).isIn(200, 201);

            JsonNode succeeded = node.run(FEED);
            assertThat(succeeded.get("status").asText()).as(succeeded.toString()).isEqualTo("SUCCEEDED");
            assertThat(succeeded.at("/counts/deadLettered").asLong()).isEqualTo(1);
            upstream.fail(request -> true, 500, 2);
            JsonNode failed = node.run(FEED);
            assertThat(failed.get("status").asText()).as(failed.toString()).isEqualTo("FAILED");
            upstream.fail(request -> true, 200, "<html>Sign in</html>", Map.of("Content-Type", "text/html"), Integer.MAX_VALUE);
            JsonNode refused = node.run(FEED);
            assertThat(refused.get("status").asText()).as(refused.toString()).isEqualTo("FAILED");
        }
    }

    private static void assertNoSecretIn(String log, List<String> secrets) {
        for (String secret : secrets) {
            assertThat(log.contains(secret)).as("the log holds %s", secret).isFalse();
        }
    }

    /** A secret as written, and as a form field, a query parameter or a strict encoder writes it. */
    private static List<String> encodings(String secret) {
        return List.of(secret, URLEncoder.encode(secret, StandardCharsets.UTF_8),
                UriUtils.encodeQueryParam(secret, StandardCharsets.UTF_8), UriUtils.encode(secret, StandardCharsets.UTF_8));
    }

    private static String basic(String user, String password, Charset charset) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(charset));
    }
}
