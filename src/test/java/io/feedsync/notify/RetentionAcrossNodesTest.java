package io.feedsync.notify;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.TestPropertySource;

import io.feedsync.FeedsyncApplication;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Change-event retention is the same on every node. This node keeps plans-soft's events for a
 * second and delivers them nowhere; another node on the same database delivers them to an endpoint
 * that is down. This node's purge leaves the events that endpoint has not taken; they go once no
 * node has registered the endpoint within the grace.
 */
@TestPropertySource(properties = "feedsync.feeds.plans-soft.notify.retention=1s")
class RetentionAcrossNodesTest extends FeedsyncTest {

    private static final String FEED = "plans-soft";

    @Autowired
    ChangeRetention retention;

    @BeforeEach
    @AfterEach
    void noEvents() {
        // not truncate: the delivery routes lock rows of both tables as they go
        jdbc.update("delete from sync_change");
        jdbc.update("delete from sync_delivery");
    }

    @Test
    void aNodeWithoutTheEndpointKeepsTheEventsAnotherNodeHasStillToDeliver() {
        String down = upstream.url("/hooks/down");
        try (ConfigurableApplicationContext other = otherNode(down)) {
            String endpoint = ChangeDeliveries.name(down);
            assertThat(count("select count(*) from sync_delivery where feed = ? and endpoint = ?", FEED, endpoint))
                    .as("the other node registered its endpoint at startup").isOne();
            upstream.dataset("plans", FakeUpstream.plans(5, "v1"));
            assertThat(api.run(FEED).get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(count("select count(*) from sync_change where feed = ?", FEED)).isEqualTo(5);
            await().atMost(Duration.ofSeconds(30)).until(() -> count(
                    "select count(*) from sync_delivery where feed = ? and endpoint = ? and attempts > 0", FEED, endpoint) == 1);
            await().pollDelay(Duration.ofMillis(1500)).until(() -> true);

            retention.purge();

            assertThat(count("select count(*) from sync_change where feed = ?", FEED))
                    .as("older than this node's retention, but not taken by the other node's endpoint").isEqualTo(5);
            assertThat(count("select position from sync_delivery where feed = ? and endpoint = ?", FEED, endpoint)).isZero();
        }

        // no node has seen the endpoint for two days: it holds nothing back any more
        jdbc.update("update sync_delivery set seen_at = now() - interval '2 days' where feed = ?", FEED);
        retention.purge();
        assertThat(count("select count(*) from sync_change where feed = ?", FEED)).isZero();
    }

    private ConfigurableApplicationContext otherNode(String endpoint) {
        return new SpringApplicationBuilder(FeedsyncApplication.class)
                .profiles("test")
                .run("--spring.datasource.url=" + TestDatabase.url(),
                        "--spring.datasource.username=" + TestDatabase.username(),
                        "--spring.datasource.password=" + TestDatabase.password(),
                        "--server.port=0", "--spring.main.banner-mode=off",
                        // two applications exporting to one JVM's MBean server: Spring's beans (the pool) need unique names
                        "--spring.jmx.unique-names=true",
                        "--feedsync.feeds.plans-soft.notify.changes[0]=" + endpoint,
                        "--feedsync.feeds.plans-soft.notify.retention=1s",
                        "--test.upstream=" + upstream.url(""), "--test.raw-upstream=" + upstream.rawUrl(""));
    }
}
