package io.feedsync.run;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.feedsync.support.Api;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Defining a feed costs the same whatever the number of feeds already defined: it adds, changes or
 * removes no route (the routes are every feed's), and the 200th PUT takes about as long as the 10th.
 */
class DefiningCostTest extends FeedsyncTest {

    private static final int FEEDS = 200;
    private static final String NEVER = "0 0 0 1 1 ? 2099";

    @Autowired
    private CamelContext camel;

    private final List<String> defined = new ArrayList<>();

    @AfterEach
    void deleteThem() {
        defined.forEach(feed -> api.delete("/api/feeds/" + feed));
    }

    @Test
    void theTwoHundredthFeedCostsWhatTheTenthDid() throws Exception {
        AtomicInteger routeEvents = new AtomicInteger();
        EventNotifierSupport routes = new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.RouteEvent) {
                    routeEvents.incrementAndGet();
                }
            }
        };
        camel.getManagementStrategy().addEventNotifier(routes);
        routes.start();
        int routesBefore = camel.getRoutes().size();
        long[] millis = new long[FEEDS];
        try {
            for (int i = 0; i < FEEDS; i++) {
                String feed = "cost-" + i;
                long start = System.nanoTime();
                Api.Answer put = api.put("/api/feeds/" + feed, definition(feed));
                millis[i] = (System.nanoTime() - start) / 1_000_000;
                assertThat(put.status()).as(put.raw().body()).isEqualTo(201);
                defined.add(feed);
            }
            // a change and a deletion touch no route either
            assertThat(api.put("/api/feeds/cost-0", definition("cost-0").replace(NEVER, "0 0 1 1 1 ? 2099")).status())
                    .isEqualTo(200);
            assertThat(api.delete("/api/feeds/cost-1").status()).isEqualTo(200);
        } finally {
            camel.getManagementStrategy().removeEventNotifier(routes);
        }

        assertThat(routeEvents.get()).as("routes added, started, stopped or removed").isZero();
        assertThat(camel.getRoutes()).hasSize(routesBefore);
        long early = median(millis, 5, 15);
        long late = median(millis, FEEDS - 10, FEEDS);
        System.out.printf("PUT of feeds 5-15: median %d ms; of feeds %d-%d: median %d ms%n", early, FEEDS - 10, FEEDS, late);
        assertThat(late).as("the last PUTs against the early ones (ms)").isLessThanOrEqualTo(3 * early + 30);
    }

    private static long median(long[] millis, int from, int to) {
        long[] window = java.util.Arrays.copyOfRange(millis, from, to);
        java.util.Arrays.sort(window);
        return window[window.length / 2];
    }

    private String definition(String feed) {
        return """
                {"schedule": "%s", "mode": "full",
                 "source": {"url": "%s", "records": "/epa_clients"},
                 "transform": {"mapping": {"epa_type": "/key", "ncpdp_version": "/version", "gateway_id": "/id"}},
                 "target": {"table": "test_plans", "key": ["epa_type"], "shared": true}}""".formatted(NEVER, upstream.url("/all/" + feed));
    }
}
