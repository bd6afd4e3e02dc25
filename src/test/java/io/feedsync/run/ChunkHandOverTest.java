package io.feedsync.run;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run's chunks go to the feed's writer route on the node's shared writer pool: written one at a
 * time in the order queued, every one of them before the run ends, and no feed holds a writer
 * thread of its own.
 */
class ChunkHandOverTest extends FeedsyncTest {

    private static final String FEED = "handed-over";

    @Autowired
    DefinedFeeds defined;

    @BeforeEach
    @AfterEach
    void noDefinedFeeds() {
        jdbc.update("delete from sync_feed_definition");
        defined.reconcile();
    }

    @Test
    void chunksOfOneRunAreWrittenInTheOrderQueuedTheLastValueWinning() {
        // one record a chunk: Payer_1 comes back 20 times among others, each time newer; if two
        // chunks of the run were written at once or out of order, an older version could win
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            records.add(FakeUpstream.plan(100 + i, "v1"));
            records.add(FakeUpstream.plan(1, "v" + i));
        }
        upstream.dataset("handed", records);
        Api.Answer created = api.put("/api/feeds/" + FEED, """
                {"mode": "full", "chunk-size": 1,
                 "source": {"url": "%s", "records": "/epa_clients", "pagination": {"type": "link-header"}},
                 "transform": {"mapping": {"epa_type": "/key", "ncpdp_version": "/version", "gateway_id": "/id"}},
                 "target": {"table": "test_plans", "key": ["epa_type"], "shared": true}}""".formatted(upstream.url("/link/handed?per_page=7")));
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);

        JsonNode run = api.run(FEED);

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("fetched").asInt()).isEqualTo(40);
        assertThat(count("select count(*) from test_plans")).isEqualTo(21);
        assertThat(jdbc.queryForObject("select ncpdp_version from test_plans where epa_type = 'Payer_1'", String.class))
                .isEqualTo("v20");
    }

    @Test
    void noFeedHoldsAWriterThreadOfItsOwn() {
        upstream.dataset("plans", FakeUpstream.plans(10, "v1"));
        assertThat(api.run("plans").get("status").asText()).isEqualTo("SUCCEEDED");

        List<String> perFeedWriters = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.contains("seda://feed-")).toList();
        assertThat(perFeedWriters).as("threads of a feed's own writer").isEmpty();
    }
}
