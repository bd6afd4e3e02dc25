package io.feedsync.support;

import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.ShutdownTimeout;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.feedsync.config.FeedCatalog;

/**
 * The whole application on a random port, against the test JVM's PostgreSQL and a loopback
 * upstream; every test starts from empty target tables and no runs.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@CamelSpringBootTest
@ActiveProfiles("test")
@AutoConfigureObservability(tracing = false)
// Camel's graceful shutdown of a cached application, when the JVM ends, waits at most this long for an
// exchange still in flight (a change-event delivery to a test endpoint already gone): 10 s by default,
// which the test JVMs spent at exit once per such application
@ShutdownTimeout(2)
public abstract class FeedsyncTest {

    protected static final FakeUpstream upstream = FakeUpstream.start();

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcTemplate jdbc;

    @Autowired
    private FeedCatalog catalog;

    protected Api api;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
        registry.add("test.upstream", () -> upstream.url(""));
        registry.add("test.raw-upstream", () -> upstream.rawUrl(""));
    }

    @BeforeEach
    void cleanSlate() {
        upstream.reset();
        catalog.all().forEach(feed -> feed.source().auth().invalidate());
        jdbc.update("truncate test_plans, epa_certificates, epa_auth_configs, epa_plans, epa_partners, sync_record_hash, sync_dead_letter, sync_watermark, sync_run, sync_feed_pause, sync_seen_key, sync_missed_key, test_clients, test_appointments, test_child_rows, sync_seen_parent");
        api = new Api(port);
    }

    protected int count(String sql, Object... args) {
        return jdbc.queryForObject(sql, Integer.class, args);
    }
}
