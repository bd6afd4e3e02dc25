package io.feedsync.security;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

import io.feedsync.run.DefinedFeeds;
import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an operator key can make a feed defined over the API do, tried as an attacker would: notify
 * endpoints that run SQL, write files, stop routes or log exchanges; placeholders that read the
 * node's own secrets; Camel's property syntax; beans and references. Each is refused with a 400
 * naming the key (and the scheme or placeholder), nothing is stored, nothing runs and nothing
 * reaches the loopback listeners. A definition stored before these checks is not started and is
 * DOWN in health. A secret the node allows works end to end, and is named as written — placeholder
 * unresolved — in every answer, the scrape, the tables and the log.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = {
        "FEEDSYNC_SECRET_UPSTREAM_TOKEN=tok-Secret-Upstream-7e3f9a61",
        "FEEDSYNC_SECRET_HOOK=hook-Secret-Query-4b8c2d07",
        "FEEDSYNC_SECRET_HOOK_PATH=hookPathSecret5d9e1f33"})
class ApiDefinitionSecurityTest extends FeedsyncTest {

    private static final String FEED = "sec-probe";
    private static final String UPSTREAM_TOKEN = "tok-Secret-Upstream-7e3f9a61";
    private static final String HOOK_TOKEN = "hook-Secret-Query-4b8c2d07";
    private static final String HOOK_PATH = "hookPathSecret5d9e1f33";
    private static final List<String> ALLOWED_SECRETS = List.of(UPSTREAM_TOKEN, HOOK_TOKEN, HOOK_PATH);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    CamelContext camel;
    @Autowired
    DefinedFeeds defined;

    /** An attacker's listener on loopback: keeps the path and query of every request it gets. */
    private final Listener listener = new Listener();
    private final Listener runsListener = new Listener();
    private Path probeFile;

    @BeforeEach
    void setUp() {
        noSuchFeed();
        upstream.dataset("secured", FakeUpstream.plans(5, "v1"));
        upstream.serve("/sec-changes", listener);
        upstream.serve("/sec-runs", runsListener);
        // world-writable, so that the database server's own user could have written it
        probeFile = Path.of(System.getProperty("java.io.tmpdir"), "feedsync-probe-" + UUID.randomUUID());
    }

    @AfterEach
    void noSuchFeed() {
        // the other applications of this JVM would load it at their start
        jdbc.update("delete from sync_feed_definition where feed = ?", FEED);
        jdbc.update("delete from sync_change where feed = ?", FEED);
        jdbc.update("delete from sync_delivery where feed = ?", FEED);
        defined.reconcile();
    }

    @AfterEach
    void noProbeFile() throws IOException {
        if (probeFile != null) {
            Files.deleteIfExists(probeFile);
        }
    }

    @Test
    void aNotifyEndpointThatRunsSqlWritesFilesStopsRoutesOrLogsIsRefused() {
        String sql = "sql:COPY%20(select%201)%20TO%20PROGRAM%20'id%20>%20" + probeFile + "'";
        Api.Answer shell = api.put("/api/feeds/" + FEED, feed(notify("runs", sql)));

        assertRefused(shell, "feedsync.feeds." + FEED + ".notify.runs[0]: scheme 'sql' is not one that feeds defined"
                + " over the API may notify (feedsync.security.api-endpoint-schemes: [http, https])");
        for (String uri : List.of("file:" + probeFile.getParent() + "?fileName=" + probeFile.getFileName(),
                "controlbus:route?routeId=feed-sync&action=stop", "log:leak?showAll=true",
                "bean:dataSource?method=getConnection", "language:groovy:1")) {
            String scheme = uri.substring(0, uri.indexOf(':'));
            Api.Answer refused = api.put("/api/feeds/" + FEED, feed(notify("changes", uri)));
            assertRefused(refused, "feedsync.feeds." + FEED + ".notify.changes[0]: scheme '" + scheme + "'");
        }
        assertThat(api.post("/api/feeds/" + FEED + "/runs", null).status()).isEqualTo(404);
        assertThat(probeFile).as("nothing ran the program").doesNotExist();
        assertThat(camel.getRouteController().getRouteStatus("feed-sync").isStarted()).isTrue();
    }

    @Test
    void aStoredDefinitionThatFailsTheChecksIsNotStartedAndIsDownInHealth(CapturedOutput output) {
        String sql = "sql:COPY%20(select%201)%20TO%20PROGRAM%20'id%20>%20" + probeFile + "'";
        // as a node before these checks stored it
        jdbc.update("insert into sync_feed_definition (feed, version, definition, changed_by) values (?, 1, ?::jsonb, ?)",
                FEED, feed(notify("runs", sql)), "test-operator");

        defined.reconcile();
        defined.reconcile();

        assertThat(camel.getRoutes()).noneMatch(route -> route.getRouteId().startsWith("feed-" + FEED + "-"));
        JsonNode health = api.as(Api.bearer(Api.VIEWER_KEY)).get("/actuator/health").json()
                .at("/components/feeds/components/" + FEED);
        assertThat(health.get("status").asText()).as(health.toString()).isEqualTo("DOWN");
        assertThat(health.at("/details/refused/version").asInt()).isEqualTo(1);
        assertThat(health.at("/details/refused/problems/0").asText()).startsWith("feedsync.feeds." + FEED
                + ".notify.runs[0]: scheme 'sql' is not one that feeds defined over the API may notify");
        Api.Answer run = api.post("/api/feeds/" + FEED + "/runs", null);
        assertThat(run.status()).as(run.raw().body()).isEqualTo(404);
        assertThat(count("select count(*) from sync_run where feed = ?", FEED)).as("no run").isZero();
        assertThat(probeFile).as("nothing ran the program").doesNotExist();
        assertThat(output.getAll().split("Feed " + FEED + " version 1 is refused on this node", -1))
                .as("warned once, not on every reconcile").hasSize(2);

        jdbc.update("delete from sync_feed_definition where feed = ?", FEED);
        defined.reconcile();
        assertThat(api.as(Api.bearer(Api.VIEWER_KEY)).get("/actuator/health").json()
                .at("/components/feeds/components/" + FEED).isMissingNode()).as("gone once deleted").isTrue();
    }

    @Test
    void aPlaceholderNeverReadsTheNodesOwnSettings() {
        for (String placeholder : List.of("${SPRING_DATASOURCE_PASSWORD}", "${spring.datasource.password}",
                "${feedsync.security.api-keys.ops-bot.key}", "${feedsync.security.api-keys.test-operator.key}",
                "${FEEDSYNC_SECURITY_APIKEYS_TESTOPERATOR_KEY}", "${feedsync.security.console-users.test-console.password}",
                "${FEEDSYNC_CONSOLE_PASSWORD}", "${FEEDSYNC_OPERATOR_KEY}", "${server.port}")) {
            Api.Answer refused = api.put("/api/feeds/" + FEED, feed(auth(placeholder)));
            assertRefused(refused, "feedsync.feeds." + FEED + ".source.auth.token: " + placeholder
                    + " names a setting of this node");
        }
        Api.Answer unlisted = api.put("/api/feeds/" + FEED, feed(auth("${HOME}")));
        assertRefused(unlisted, "feedsync.feeds." + FEED + ".source.auth.token: ${HOME} is not a secret this node lets"
                + " feeds defined over the API read (feedsync.security.secret-names: [FEEDSYNC_SECRET_*, test.*])");
        ObjectNode inSecret = base();
        inSecret.putObject("notify").put("secret", "${spring.datasource.password}").putArray("changes")
                .add(upstream.url("/sec-changes/x"));
        assertRefused(api.put("/api/feeds/" + FEED, inSecret.toString()),
                "feedsync.feeds." + FEED + ".notify.secret: ${spring.datasource.password} names a setting of this node");
        assertRefused(api.put("/api/feeds/" + FEED, feed(notify("changes",
                        upstream.url("/sec-changes/x") + "?token=${feedsync.security.console-users.test-console.password}"))),
                "feedsync.feeds." + FEED + ".notify.changes[0]: ${feedsync.security.console-users.test-console.password}"
                        + " names a setting of this node");

        assertThat(api.post("/api/feeds/" + FEED + "/runs", null).status()).isEqualTo(404);
        assertThat(upstream.requests()).as("the upstream got nothing").isEmpty();
        assertThat(upstream.tokenRequests()).isEmpty();
        assertThat(listener.requests).as("the listener got nothing").isEmpty();
    }

    @Test
    void camelPropertySyntaxAndPlaceholdersOutsideSecretsAreRefused() {
        ObjectNode inUrl = base();
        ((ObjectNode) inUrl.get("source")).put("url", upstream.url("/all/secured") + "?home={{env:HOME}}");
        assertRefused(api.put("/api/feeds/" + FEED, inUrl.toString()), "feedsync.feeds." + FEED
                + ".source.url: Camel property syntax ({{…}}) is refused in a feed defined over the API");
        assertRefused(api.put("/api/feeds/" + FEED, feed(notify("changes", upstream.url("/sec-changes/x")
                + "?home={{env:HOME}}&user={{sys:user.name}}"))), "feedsync.feeds." + FEED + ".notify.changes[0]: Camel"
                + " property syntax ({{…}}) is refused");
        ObjectNode inUsername = base();
        ((ObjectNode) inUsername.get("source")).putObject("auth").put("type", "basic")
                .put("username", "${FEEDSYNC_SECRET_HOOK}").put("password", "${FEEDSYNC_SECRET_HOOK}");
        assertRefused(api.put("/api/feeds/" + FEED, inUsername.toString()), "feedsync.feeds." + FEED
                + ".source.auth.username: a ${NAME} placeholder is resolved only in a secret");
        assertRefused(api.put("/api/feeds/" + FEED, feed(notify("changes", upstream.url("/sec-changes/x")
                + "?token=${FEEDSYNC_SECRET_HOOK:fallback}"))), "feedsync.feeds." + FEED
                + ".notify.changes[0]: a placeholder is ${NAME}");
        assertRefused(api.put("/api/feeds/" + FEED, feed(notify("changes", upstream.url("/sec-changes/x")
                + "?token=${FEEDSYNC_${FEEDSYNC_SECRET_HOOK}_X}"))), "feedsync.feeds." + FEED
                + ".notify.changes[0]: a placeholder is ${NAME}");

        assertThat(listener.requests).isEmpty();
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void beansAndCamelReferencesAreRefused() {
        assertRefused(api.put("/api/feeds/" + FEED, feed(notify("changes", upstream.url("/sec-changes/x")
                        + "?httpClientConfigurer=%23class:org.springframework.context.support.ClassPathXmlApplicationContext"))),
                "feedsync.feeds." + FEED + ".notify.changes[0]: '#' is refused in an endpoint URI");
        assertRefused(api.put("/api/feeds/" + FEED, feed(notify("changes", upstream.url("/sec-changes/x")
                        + "?authPassword=#property:spring.datasource.password"))),
                "feedsync.feeds." + FEED + ".notify.changes[0]: '#' is refused in an endpoint URI");
        ObjectNode bean = base();
        ((ObjectNode) bean.get("transform")).removeAll().put("bean", "dataSource");
        assertRefused(api.put("/api/feeds/" + FEED, bean.toString()), "feedsync.feeds." + FEED + ".transform.bean:"
                + " 'dataSource' is not a transform bean that feeds defined over the API may use");
        ObjectNode header = base();
        ((ObjectNode) header.get("source")).putObject("auth").put("type", "api-key")
                .put("key", "${FEEDSYNC_SECRET_HOOK}").put("header", "CamelHttpUri");
        assertRefused(api.put("/api/feeds/" + FEED, header.toString()), "feedsync.feeds." + FEED
                + ".source.auth.header: 'CamelHttpUri' is not an HTTP header name");

        assertThat(listener.requests).isEmpty();
    }

    @Test
    void anAllowedSecretWorksEndToEndAndIsNamedAsWrittenEverywhere(CapturedOutput output) {
        upstream.requireHeader("Authorization", "Bearer " + UPSTREAM_TOKEN);
        String changes = upstream.url("/sec-changes/${FEEDSYNC_SECRET_HOOK_PATH}") + "?token=${FEEDSYNC_SECRET_HOOK}";
        String runs = upstream.url("/sec-runs/${FEEDSYNC_SECRET_HOOK_PATH}") + "?token=${FEEDSYNC_SECRET_HOOK}";
        ObjectNode definition = base();
        ((ObjectNode) definition.get("source")).putObject("auth").put("type", "bearer")
                .put("token", "${FEEDSYNC_SECRET_UPSTREAM_TOKEN}");
        ObjectNode notify = definition.putObject("notify");
        notify.putArray("changes").add(changes);
        notify.putArray("runs").add(runs);
        listener.failing.set(true);
        runsListener.failing.set(true);

        Api.Answer created = api.put("/api/feeds/" + FEED, definition.toString());
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        assertThat(api.run(FEED).get("status").asText()).as("the upstream took the token").isEqualTo("SUCCEEDED");

        Api viewer = api.as(Api.bearer(Api.VIEWER_KEY));
        await().atMost(Duration.ofSeconds(20)).until(() -> !viewer.get("/api/feeds/" + FEED + "/deliveries").json()
                .get(0).path("lastError").isNull());
        Api.Answer failing = viewer.get("/api/feeds/" + FEED + "/deliveries");
        assertThat(failing.json().get(0).get("endpoint").asText()).isEqualTo(changes);
        assertThat(failing.json().get(0).get("lastError").asText()).as("the failure names the URI as written")
                .contains("/sec-changes/${FEEDSYNC_SECRET_HOOK_PATH}");
        String failingRow = jdbc.queryForObject("select row_to_json(d)::text from sync_delivery d where feed = ?",
                String.class, FEED);
        listener.failing.set(false);
        List<Long> events = jdbc.queryForList("select id from sync_change where feed = ? order by id", Long.class, FEED);
        assertThat(events).hasSize(5);
        await().atMost(Duration.ofSeconds(20)).until(() -> listener.accepted() >= events.size());
        await().atMost(Duration.ofSeconds(30)).until(() -> output.getAll()
                .contains("Feed " + FEED + ": the notification of a finished run failed"));

        // the secrets went where they were meant to, and only there
        assertThat(listener.requests).allSatisfy(request -> assertThat(request)
                .isEqualTo("/sec-changes/" + HOOK_PATH + "?token=" + HOOK_TOKEN));
        assertThat(runsListener.requests).isNotEmpty().allSatisfy(request -> assertThat(request)
                .isEqualTo("/sec-runs/" + HOOK_PATH + "?token=" + HOOK_TOKEN));
        Api.Answer deliveries = viewer.get("/api/feeds/" + FEED + "/deliveries");
        assertThat(deliveries.json().get(0).get("endpoint").asText()).as("named as written").isEqualTo(changes);
        String scrape = viewer.get("/actuator/prometheus").raw().body();
        assertThat(scrape).contains("endpoint=\"" + changes + "\"");
        List<String> rows = jdbc.queryForList("select row_to_json(d)::text from sync_delivery d where feed = ?",
                String.class, FEED);
        assertThat(rows).singleElement().asString().contains(JSON.valueToTree(changes).toString());
        List<String> tables = jdbc.queryForList("""
                select row_to_json(r)::text from sync_run r where feed = ?
                union all select row_to_json(f)::text from sync_feed_definition f where feed = ?
                union all select row_to_json(a)::text from sync_audit a where feed = ?""", String.class, FEED, FEED, FEED);
        String route = ((ModelCamelContext) camel).getRouteDefinition("feed-" + FEED + "-notify-1").toString()
                + ((ModelCamelContext) camel).getRouteDefinition("feed-" + FEED + "-notify-1").getTemplateParameters();
        for (String seen : List.of(created.raw().body(), failing.raw().body(), deliveries.raw().body(),
                viewer.get("/api/feeds/" + FEED + "/definition").raw().body(), viewer.get("/api/feeds").raw().body(),
                viewer.get("/api/feeds/" + FEED + "/runs").raw().body(), viewer.get("/actuator/health").raw().body(),
                scrape, failingRow, String.join("\n", rows), String.join("\n", tables), route, output.getAll())) {
            for (String secret : ALLOWED_SECRETS) {
                assertThat(seen).doesNotContain(secret);
            }
        }
    }

    @Test
    void aPositionKeptUnderTheFormerResolvedNameMovesToTheNameAsWritten() {
        String changes = upstream.url("/sec-changes/${FEEDSYNC_SECRET_HOOK_PATH}") + "?token=${FEEDSYNC_SECRET_HOOK}";
        // how a node named it before: resolved, the token masked by Camel, the path in clear
        String former = upstream.url("/sec-changes/" + HOOK_PATH) + "?token=xxxxxx";
        jdbc.update("insert into sync_delivery (feed, endpoint, position) values (?, ?, 4242)", FEED, former);

        Api.Answer created = api.put("/api/feeds/" + FEED, feed(notify("changes", changes)));

        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        assertThat(jdbc.queryForList("select endpoint || ' ' || position from sync_delivery where feed = ?",
                String.class, FEED)).containsExactly(changes + " 4242");
    }

    private void assertRefused(Api.Answer answer, String problem) {
        assertThat(answer.status()).as(answer.raw().body()).isEqualTo(400);
        assertThat(answer.json().get("error").asText()).isEqualTo("bad_request");
        assertThat(answer.json().get("problems")).extracting(JsonNode::asText).anyMatch(text -> text.startsWith(problem));
        for (String secret : List.of(TestDatabase.password(), Api.OPERATOR_KEY, Api.CONSOLE_PASSWORD, HOOK_TOKEN)) {
            if (!secret.isEmpty()) {
                assertThat(answer.raw().body()).as("no value in the answer").doesNotContain(secret);
            }
        }
        assertThat(count("select count(*) from sync_feed_definition where feed = ?", FEED)).as("nothing stored").isZero();
        assertThat(camel.getRoutes()).noneMatch(route -> route.getRouteId().startsWith("feed-" + FEED + "-"));
    }

    /** A feed of 5 plans from the loopback upstream into test_plans, with {@code extra}'s sections merged in. */
    private String feed(ObjectNode extra) {
        ObjectNode feed = base();
        extra.fields().forEachRemaining(field -> {
            if (field.getValue().isObject() && feed.get(field.getKey()) instanceof ObjectNode into) {
                into.setAll((ObjectNode) field.getValue());
            } else {
                feed.set(field.getKey(), field.getValue());
            }
        });
        return feed.toString();
    }

    private ObjectNode base() {
        ObjectNode feed = JSON.createObjectNode().put("mode", "full");
        feed.putObject("source").put("url", upstream.url("/all/secured")).put("records", "/epa_clients");
        feed.putObject("transform").putObject("mapping").put("epa_type", "/key").put("ncpdp_version", "/version")
                .put("gateway_id", "/id");
        feed.putObject("target").put("table", "test_plans").put("shared", true).putArray("key").add("epa_type");
        return feed;
    }

    private static ObjectNode notify(String list, String uri) {
        ObjectNode extra = JSON.createObjectNode();
        extra.putObject("notify").putArray(list).add(uri);
        return extra;
    }

    private static ObjectNode auth(String token) {
        ObjectNode extra = JSON.createObjectNode();
        extra.putObject("source").putObject("auth").put("type", "bearer").put("token", token);
        return extra;
    }

    /** Keeps the path and query of each request; answers 500 while failing, else 204. */
    private static final class Listener implements HttpHandler {

        final List<String> requests = new CopyOnWriteArrayList<>();
        final AtomicBoolean failing = new AtomicBoolean();
        private final List<Boolean> answered = new CopyOnWriteArrayList<>();

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            URI uri = exchange.getRequestURI();
            exchange.getRequestBody().readAllBytes();
            requests.add(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
            boolean fail = failing.get();
            answered.add(!fail);
            exchange.sendResponseHeaders(fail ? 500 : 204, -1);
            exchange.close();
        }

        long accepted() {
            return answered.stream().filter(Boolean::booleanValue).count();
        }
    }
}
