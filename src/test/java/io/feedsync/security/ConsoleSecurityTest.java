package io.feedsync.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpCookie;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.LogManager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import io.feedsync.ops.JmxFeedPauses;
import io.feedsync.support.Api;
import io.feedsync.support.FeedsyncTest;

import static io.feedsync.support.Api.anonymous;
import static io.feedsync.support.Api.basic;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Hawtio console and Jolokia as an attacker would use them: a foreign page riding on the console
 * user's cached basic credentials (GET operations, cross-origin requests, POSTs without the CSRF
 * token), the JMX operations and writes an operator could use to stop the node, the scheduler or a
 * route, or to switch tracing or debug logging on, and password guessing. Each is refused and nothing
 * changed; what the console needs (reads, route suspend / resume, pause) still works, audited.
 */
@TestPropertySource(properties = {
        // a feed with a timer route, which never fires
        "feedsync.feeds.guarded.schedule=0 0 0 1 1 ? 2099",
        "feedsync.feeds.guarded.mode=full",
        "feedsync.feeds.guarded.source.url=${test.upstream}/all/guarded",
        "feedsync.feeds.guarded.source.records=/epa_clients",
        "feedsync.feeds.guarded.transform.mapping.epa_type=/key",
        "feedsync.feeds.guarded.target.table=test_plans",
        "feedsync.feeds.guarded.target.shared=true",
        "feedsync.feeds.guarded.target.key=epa_type",
        "feedsync.security.login-throttle.max-failures=5",
        "feedsync.security.login-throttle.window=10s",
        // feedsync's own MBeans (pause / resume), as outside tests
        "spring.jmx.enabled=true"})
@DisableJmx(false)
@DirtiesContext
class ConsoleSecurityTest extends FeedsyncTest {

    private static final String EVIL = "http://evil.example";
    /** A console user whose password is configured bcrypt-encoded: each check of it costs a bcrypt. */
    private static final String BCRYPT_USER = "test-bcrypt";
    private static final String BCRYPT_PASSWORD = "test-bcrypt-password-0123";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    private CamelContext camel;
    @Autowired
    private Scheduler quartz;
    @Autowired
    private JmxFeedPauses pauses;

    private String token;

    @DynamicPropertySource
    static void bcryptUser(DynamicPropertyRegistry registry) {
        registry.add("feedsync.security.console-users." + BCRYPT_USER + ".password",
                () -> "{bcrypt}" + new BCryptPasswordEncoder().encode(BCRYPT_PASSWORD));
        registry.add("feedsync.security.console-users." + BCRYPT_USER + ".role", () -> "operator");
    }

    @BeforeEach
    void consoleToken() {
        Api.Answer page = api.as(console()).get("/actuator/hawtio/");
        assertThat(page.status()).isEqualTo(200);
        token = page.raw().headers().allValues("Set-Cookie").stream().flatMap(cookie -> HttpCookie.parse(cookie).stream())
                .filter(cookie -> cookie.getName().equals("XSRF-TOKEN")).map(HttpCookie::getValue).findFirst().orElseThrow();
    }

    /** The probe: an image or link on a foreign page, with the console user's cached basic credentials. */
    @Test
    void anOperationByGetIsRefusedAndPausesNothing() {
        String pause = "/actuator/jolokia/exec/" + pauses.getObjectName() + "/pause/plans/x";
        for (String path : List.of(pause, "/actuator/hawtio/jolokia/exec/" + pauses.getObjectName() + "/pause/plans/x",
                "/actuator/jolokia/EXEC/" + pauses.getObjectName() + "/pause/plans/x",
                "/actuator/jolokia/?p=/exec/" + pauses.getObjectName() + "/pause/plans/x",
                "/actuator/jolokia/exec/" + pauses.getObjectName() + "/paused()?callback=steal",
                "/actuator/jolokia/read/java.lang:type=Runtime/Name?callback=steal")) {
            Map<String, String> fromForeignPage = new LinkedHashMap<>(console());
            fromForeignPage.put("Origin", EVIL);
            Api.Answer withOrigin = api.as(anonymous()).request("GET", path, fromForeignPage, null);
            assertThat(withOrigin.status()).as(path + " with Origin: " + withOrigin.raw().body()).isEqualTo(403);
            assertThat(withOrigin.json().get("error").asText()).isEqualTo("forbidden");
            assertNoCors(withOrigin, path);

            // an <img> sends no Origin at all
            Api.Answer withoutOrigin = api.as(console()).get(path);
            assertThat(withoutOrigin.status()).as(path + ": " + withoutOrigin.raw().body()).isIn(405);
            assertThat(withoutOrigin.json().get("error").asText()).isEqualTo("method_not_allowed");
            assertThat(api.as(console()).request("HEAD", path, Map.of(), null).status()).as("HEAD " + path).isEqualTo(405);
        }
        assertThat(count("select count(*) from sync_feed_pause")).as("nothing paused").isZero();
        assertThat(api.get("/api/feeds").raw().body()).doesNotContain("\"paused\":true");
    }

    @Test
    void aWriteByGetIsRefusedAndTracingStaysOff() {
        String path = "/actuator/jolokia/write/" + inPath(contextMBean()) + "/Tracing/true";

        Api.Answer answer = api.as(console()).get(path);

        assertThat(answer.status()).as(answer.raw().body()).isEqualTo(405);
        assertThat(camel.isTracing()).isNotEqualTo(Boolean.TRUE);
        assertThat(read(contextMBean(), "Tracing").asBoolean()).isFalse();
    }

    @Test
    void readsByGetStillWork() {
        Api.Answer version = api.as(console()).get("/actuator/jolokia/version");
        assertThat(version.status()).isEqualTo(200);
        assertThat(version.raw().body()).contains("\"agent\"");
        Api.Answer state = api.as(console()).get("/actuator/jolokia/read/" + inPath(timerMBean()) + "/State");
        assertThat(state.raw().body()).contains("Started");
        assertThat(api.as(console()).get("/actuator/jolokia").status()).isEqualTo(200);
    }

    /** No CORS answer for a foreign origin on any path, and the request itself is refused. */
    @Test
    void aForeignOriginGetsNoCorsHeadersAnywhere() {
        Map<String, String> jolokia = withToken(console());
        jolokia.put("Origin", EVIL);
        assertForeignRefused(api.as(anonymous()).request("POST", "/actuator/jolokia", jolokia, "{\"type\":\"version\"}"),
                "POST jolokia");
        Map<String, String> apiKey = new LinkedHashMap<>(Api.bearer(Api.OPERATOR_KEY));
        apiKey.put("Origin", EVIL);
        assertForeignRefused(api.as(anonymous()).request("GET", "/api/feeds", apiKey, null), "GET /api/feeds");
        Map<String, String> hawtio = new LinkedHashMap<>(console());
        hawtio.put("Origin", EVIL);
        assertForeignRefused(api.as(anonymous()).request("GET", "/actuator/hawtio/", hawtio, null), "GET hawtio");
        Map<String, String> preflight = Map.of("Origin", EVIL, "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization, content-type");
        for (String path : List.of("/actuator/jolokia", "/api/feeds/plans/runs", "/actuator/hawtio/")) {
            assertNoCors(api.as(anonymous()).request("OPTIONS", path, preflight, null), "preflight " + path);
        }
        // modern browsers say it in Sec-Fetch-Site, even where they send no Origin
        Map<String, String> crossSite = withToken(console());
        crossSite.put("Sec-Fetch-Site", "cross-site");
        Api.Answer refused = api.as(anonymous()).request("POST", "/actuator/jolokia", crossSite, pauseRequest());
        assertThat(refused.status()).isEqualTo(403);
        assertThat(count("select count(*) from sync_feed_pause")).as("nothing paused").isZero();
    }

    /** The console's own requests: same origin, or said so by the browser. */
    @Test
    void theConsolesOwnOriginIsServed() {
        Map<String, String> own = withToken(console());
        own.put("Origin", "http://127.0.0.1:" + port);
        assertThat(jolokia(own, "{\"type\":\"version\"}").get("status").asInt()).isEqualTo(200);
        Map<String, String> sameOrigin = withToken(console());
        sameOrigin.put("Sec-Fetch-Site", "same-origin");
        sameOrigin.put("Origin", "https://console.example.org");
        assertThat(jolokia(sameOrigin, "{\"type\":\"version\"}").get("status").asInt()).as("behind a TLS proxy")
                .isEqualTo(200);
        Map<String, String> link = new LinkedHashMap<>(console());
        link.putAll(Map.of("Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document"));
        assertThat(api.as(anonymous()).request("GET", "/actuator/hawtio/", link, null).status())
                .as("a link to the console followed from elsewhere").isEqualTo(200);
    }

    @Test
    void aPostWithoutTheCsrfTokenIsRefusedWithItTheConsolePauses() {
        Map<String, String> noToken = new LinkedHashMap<>(console());
        noToken.put("Content-Type", "text/json");
        Api.Answer refused = api.as(anonymous()).request("POST", "/actuator/jolokia", noToken, pauseRequest());
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("message").asText()).contains("CSRF");
        assertThat(count("select count(*) from sync_feed_pause")).isZero();

        long auditBefore = lastAudit();
        JsonNode paused = jolokia(withToken(console()), pauseRequest());

        assertThat(paused.get("status").asInt()).as(paused.toString()).isEqualTo(200);
        assertThat(count("select count(*) from sync_feed_pause where feed = 'plans' and paused_by = ?", Api.CONSOLE_USER))
                .isEqualTo(1);
        assertThat(count("select count(*) from sync_audit where id > ? and actor = ? and action = 'pause' and feed = 'plans'",
                auditBefore, Api.CONSOLE_USER)).isEqualTo(1);
        jolokia(withToken(console()), "{\"type\":\"exec\",\"mbean\":\"" + pauses.getObjectName()
                + "\",\"operation\":\"resume(java.lang.String)\",\"arguments\":[\"plans\"]}");
        assertThat(count("select count(*) from sync_feed_pause")).isZero();
    }

    /** Each call that could stop the node, its scheduler or a route, or switch tracing, debugging or logging on. */
    @Test
    void everyForbiddenOperationOrWriteIsRefusedAndChangesNothing() throws SchedulerException {
        String scheduler = search("quartz:type=QuartzScheduler,name=" + quartz.getSchedulerName() + ",*");
        String context = contextMBean();
        String timer = timerMBean();
        Map<String, String> forbidden = new LinkedHashMap<>();
        forbidden.put("Quartz shutdown", exec(scheduler, "shutdown()"));
        forbidden.put("Quartz standby", exec(scheduler, "standby()"));
        forbidden.put("Quartz clear", exec(scheduler, "clear()"));
        forbidden.put("Quartz pauseAllTriggers", exec(scheduler, "pauseAllTriggers()"));
        forbidden.put("route stop", exec(timer, "stop()"));
        forbidden.put("route stop(long)", exec(timer, "stop(long)", 1));
        forbidden.put("route remove", exec(timer, "remove()"));
        forbidden.put("route start", exec(timer, "start()"));
        forbidden.put("route restart", exec(timer, "restart()"));
        forbidden.put("route update", exec(timer, "updateRouteFromXml(java.lang.String)", "<route/>"));
        forbidden.put("route tracing", write(timer, "Tracing", true));
        forbidden.put("context stop", exec(context, "stop()"));
        forbidden.put("context suspend", exec(context, "suspend()"));
        forbidden.put("context tracing", write(context, "Tracing", true));
        forbidden.put("context setGlobalOption", exec(context, "setGlobalOption(java.lang.String,java.lang.String)",
                "CamelLogDebugBodyMaxChars", "-1"));
        forbidden.put("context sendBody", exec(context, "sendBody(java.lang.String,java.lang.Object)", "log:x", "y"));
        forbidden.put("backlog tracer on", exec("org.apache.camel:context=" + camel.getManagementName()
                + ",type=tracer,name=BacklogTracer", "setEnabled(boolean)", true));
        forbidden.put("backlog tracer write", write("org.apache.camel:context=" + camel.getManagementName()
                + ",type=tracer,name=BacklogTracer", "Enabled", true));
        forbidden.put("debugger on", exec("org.apache.camel:context=" + camel.getManagementName()
                + ",type=tracer,name=BacklogDebugger", "enableDebugger()"));
        forbidden.put("log level", exec("java.util.logging:type=Logging", "setLoggerLevel(java.lang.String,java.lang.String)",
                "io.feedsync", "FINEST"));
        forbidden.put("verbose gc", write("java.lang:type=Memory", "Verbose", true));
        forbidden.put("heap dump", exec("com.sun.management:type=HotSpotDiagnostic", "dumpHeap(java.lang.String,boolean)",
                "/tmp/feedsync.hprof", true));
        String pool = search("org.apache.camel:context=" + camel.getManagementName() + ",type=threadpools,*");
        if (pool != null) {
            forbidden.put("pool size", write(pool, "CorePoolSize", 1000));
        }

        Map<String, JsonNode> answers = new LinkedHashMap<>();
        forbidden.forEach((what, request) -> answers.put(what, jolokia(withToken(console()), request)));
        answers.forEach((what, answer) -> {
            assertThat(answer.get("status").asInt()).as(what + ": " + answer).isEqualTo(403);
            assertThat(answer.get("error").asText()).as(what + ": " + answer).containsAnyOf("forbidden", "not allowed");
        });
        // a bulk request is judged element by element: the read is answered, the shutdown refused
        ArrayNode bulk = JSON.createArrayNode();
        bulk.add(readRequest(timer, "State"));
        bulk.add(readTree(exec(scheduler, "shutdown()")));
        JsonNode bulkAnswers = jolokia(withToken(console()), bulk.toString());
        assertThat(bulkAnswers.get(0).get("status").asInt()).isEqualTo(200);
        assertThat(bulkAnswers.get(1).get("status").asInt()).isEqualTo(403);

        assertThat(quartz.isStarted()).isTrue();
        assertThat(quartz.isShutdown()).isFalse();
        assertThat(quartz.isInStandbyMode()).isFalse();
        assertThat(quartz.getTriggerGroupNames()).as("no trigger cleared").isNotEmpty();
        assertThat(quartz.getPausedTriggerGroups()).isEmpty();
        assertThat(camel.getStatus()).isEqualTo(ServiceStatus.Started);
        assertThat(camel.getRouteController().getRouteStatus("feed-timer")).isEqualTo(ServiceStatus.Started);
        assertThat(camel.isTracing()).isNotEqualTo(Boolean.TRUE);
        assertThat(camel.getRoute("feed-timer").isTracing()).isNotEqualTo(Boolean.TRUE);
        assertThat(camel.getGlobalOptions()).doesNotContainKey("CamelLogDebugBodyMaxChars");
        assertThat(LogManager.getLogManager().getLogger("io.feedsync") == null
                || LogManager.getLogManager().getLogger("io.feedsync").getLevel() == null).isTrue();
        assertThat(java.lang.management.ManagementFactory.getMemoryMXBean().isVerbose()).isFalse();
        assertThat(new java.io.File("/tmp/feedsync.hprof")).doesNotExist();
    }

    /** Suspend and resume of a route, the console's route control, work and are audited with the console user's name. */
    @Test
    void routeSuspendAndResumeWorkAndAreAudited() {
        String timer = timerMBean();
        long auditBefore = lastAudit();

        JsonNode suspended = jolokia(withToken(console()), exec(timer, "suspend()"));
        assertThat(suspended.get("status").asInt()).as(suspended.toString()).isEqualTo(200);
        assertThat(read(timer, "State").asText()).isEqualTo("Suspended");
        JsonNode resumed = jolokia(withToken(console()), exec(timer, "resume()"));
        assertThat(resumed.get("status").asInt()).as(resumed.toString()).isEqualTo(200);
        assertThat(read(timer, "State").asText()).isEqualTo("Started");

        List<Map<String, Object>> rows = jdbc.queryForList("select actor, action, feed, request::text as request, status "
                + "from sync_audit where id > ? order by id", auditBefore);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsEntry("actor", Api.CONSOLE_USER).containsEntry("action", "suspend-route")
                .as("a route of every feed").containsEntry("feed", null).containsEntry("status", 200);
        assertThat((String) rows.get(0).get("request")).contains("\"route\": \"feed-timer\"").contains("\"via\": \"jmx\"");
        assertThat(rows.get(1)).containsEntry("actor", Api.CONSOLE_USER).containsEntry("action", "resume-route");
    }

    /** What the console's views read and call still answers. */
    @Test
    void theConsolesReadsWork() {
        Map<String, String> headers = withToken(console());
        for (String request : List.of("{\"type\":\"version\"}", "{\"type\":\"list\",\"path\":\"org.apache.camel\"}",
                "{\"type\":\"search\",\"mbean\":\"org.apache.camel:type=routes,*\"}",
                readRequest(contextMBean(), null).toString(),
                exec(contextMBean(), "dumpRoutesAsXml()"),
                exec(timerMBean(), "dumpRouteStatsAsXml(boolean,boolean)", false, false),
                exec("java.lang:type=Threading", "dumpAllThreads(boolean,boolean)", false, false))) {
            JsonNode answer = jolokia(headers, request);
            assertThat(answer.get("status").asInt()).as(request + ": " + answer).isEqualTo(200);
        }
        assertThat(jolokia(headers, exec(contextMBean(), "dumpRoutesAsXml()")).get("value").asText())
                .contains("feed-timer");
        JsonNode runtime = jolokia(headers, "{\"type\":\"read\",\"mbean\":\"java.lang:type=Runtime\",\"attribute\":\"SystemProperties\"}");
        assertThat(runtime.get("status").asInt()).as("system properties (a -D password)").isEqualTo(403);
    }

    /**
     * Guessing the password of a bcrypt-encoded console user: after the limit (5 in 10 s here) every attempt,
     * the right password too, is a 429 that checks no password, until the window has passed.
     */
    @Test
    void failedLoginsAreRateLimitedPerAddressAndPerUser() throws InterruptedException {
        Api guesser = api.as(basic(BCRYPT_USER, "wrong-password-0123456789"));
        long start = System.nanoTime();
        int unauthorized = 0;
        int throttled = 0;
        for (int i = 0; i < 50; i++) {
            Api.Answer answer = guesser.get("/actuator/hawtio/");
            if (answer.status() == 401) {
                unauthorized++;
            } else {
                assertThat(answer.status()).as("attempt " + i + ": " + answer.raw().body()).isEqualTo(429);
                assertThat(answer.header("Retry-After")).isNotNull();
                assertThat(Integer.parseInt(answer.header("Retry-After"))).isBetween(1, 10);
                assertThat(answer.json().get("error").asText()).isEqualTo("too_many_requests");
                throttled++;
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(unauthorized).as("passwords checked").isEqualTo(5);
        assertThat(throttled).isEqualTo(45);
        assertThat(millis).as("50 failed logins, 45 of them without a bcrypt").isLessThan(8_000);

        Api.Answer rightPassword = api.as(basic(BCRYPT_USER, BCRYPT_PASSWORD)).get("/actuator/hawtio/");
        assertThat(rightPassword.status()).as("the right password, while this address is throttled").isEqualTo(429);
        assertThat(api.as(Api.bearer(Api.OPERATOR_KEY)).get("/api/feeds").status()).as("API keys are not throttled")
                .isEqualTo(200);
        assertThat(rawGet("127.0.0.2", "/actuator/hawtio/", basic(BCRYPT_USER, BCRYPT_PASSWORD)))
                .as("the same user from another address").isEqualTo(429);
        assertThat(rawGet("127.0.0.2", "/actuator/hawtio/", console()))
                .as("another user from another address").isEqualTo(200);

        Thread.sleep(Integer.parseInt(rightPassword.header("Retry-After")) * 1000L + 200);
        assertThat(api.as(basic(BCRYPT_USER, BCRYPT_PASSWORD)).get("/actuator/hawtio/").status())
                .as("the right password after the window").isEqualTo(200);
        assertThat(api.as(console()).get("/actuator/hawtio/").status()).isEqualTo(200);
    }

    private static Map<String, String> console() {
        return basic(Api.CONSOLE_USER, Api.CONSOLE_PASSWORD);
    }

    /** The console user's credentials, the CSRF cookie and header, as the console sends its POSTs. */
    private Map<String, String> withToken(Map<String, String> credentials) {
        Map<String, String> headers = new LinkedHashMap<>(credentials);
        headers.put("Content-Type", "text/json");
        headers.put("Cookie", "XSRF-TOKEN=" + token);
        headers.put("X-XSRF-TOKEN", token);
        return headers;
    }

    private String pauseRequest() {
        return "{\"type\":\"exec\",\"mbean\":\"" + pauses.getObjectName()
                + "\",\"operation\":\"pause(java.lang.String,java.lang.String)\",\"arguments\":[\"plans\",\"x\"]}";
    }

    private JsonNode jolokia(Map<String, String> headers, String request) {
        Api.Answer answer = api.as(anonymous()).request("POST", "/actuator/jolokia", headers, request);
        assertThat(answer.status()).as(request + ": " + answer.raw().body()).isEqualTo(200);
        assertNoCors(answer, request);
        return readTree(answer.raw().body());
    }

    private JsonNode read(String mbean, String attribute) {
        return jolokia(withToken(console()), readRequest(mbean, attribute).toString()).get("value");
    }

    private static ObjectNode readRequest(String mbean, String attribute) {
        ObjectNode request = JSON.createObjectNode().put("type", "read").put("mbean", mbean);
        if (attribute != null) {
            request.put("attribute", attribute);
        }
        return request;
    }

    private static String exec(String mbean, String operation, Object... arguments) {
        ObjectNode request = JSON.createObjectNode().put("type", "exec").put("mbean", mbean).put("operation", operation);
        request.set("arguments", JSON.valueToTree(List.of(arguments)));
        return request.toString();
    }

    private static String write(String mbean, String attribute, Object value) {
        ObjectNode request = JSON.createObjectNode().put("type", "write").put("mbean", mbean).put("attribute", attribute);
        request.set("value", JSON.valueToTree(value));
        return request.toString();
    }

    /** The first MBean matching the pattern, or null. */
    private String search(String pattern) {
        JsonNode found = jolokia(withToken(console()), JSON.createObjectNode().put("type", "search").put("mbean", pattern)
                .toString()).get("value");
        return found == null || found.isEmpty() ? null : found.get(0).asText();
    }

    private String contextMBean() {
        String found = search("org.apache.camel:context=" + camel.getManagementName() + ",type=context,*");
        assertThat(found).isNotNull();
        return found;
    }

    private String timerMBean() {
        String found = search("org.apache.camel:context=" + camel.getManagementName()
                + ",type=routes,name=\"feed-timer\",*");
        assertThat(found).isNotNull();
        return found;
    }

    /** An MBean name as a Jolokia GET path's element. */
    private static String inPath(String mbean) {
        return mbean.replace("\"", "%22");
    }

    private long lastAudit() {
        return jdbc.queryForObject("select coalesce(max(id), 0) from sync_audit", Long.class);
    }

    private static void assertForeignRefused(Api.Answer answer, String what) {
        assertThat(answer.status()).as(what + ": " + answer.raw().body()).isEqualTo(403);
        assertThat(answer.json().get("message").asText()).as(what).contains(EVIL);
        assertNoCors(answer, what);
    }

    private static void assertNoCors(Api.Answer answer, String what) {
        assertThat(answer.raw().headers().map().keySet()).as(what + ": CORS headers")
                .noneMatch(name -> name.toLowerCase(java.util.Locale.ROOT).startsWith("access-control-allow"));
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A GET sent from the given local address (the loopback has many), answering its status. */
    private int rawGet(String from, String path, Map<String, String> headers) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            socket.setSoTimeout(30_000);
            StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
                line.write(b);
            }
            return Integer.parseInt(line.toString(StandardCharsets.ISO_8859_1).split(" ")[1]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
