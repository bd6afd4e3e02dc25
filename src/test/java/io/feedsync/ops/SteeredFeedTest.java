package io.feedsync.ops;

import org.apache.camel.test.spring.junit5.DisableJmx;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import io.feedsync.support.FeedsyncTest;

/** The application with JMX on and a feed, {@code steered}, whose timer fires every second. */
@TestPropertySource(properties = {
        "feedsync.feeds.steered.schedule=0/1 * * * * ?",
        "feedsync.feeds.steered.mode=full",
        "feedsync.feeds.steered.source.url=${test.upstream}/all/steers",
        "feedsync.feeds.steered.source.records=/epa_clients",
        "feedsync.feeds.steered.transform.mapping.epa_type=/key",
        "feedsync.feeds.steered.target.table=test_plans",
        "feedsync.feeds.steered.target.shared=true",
        "feedsync.feeds.steered.target.key=epa_type"})
@DisableJmx(false)
// closed after its tests: a timer firing every second would keep writing runs into the shared database
@DirtiesContext
abstract class SteeredFeedTest extends FeedsyncTest {
}
