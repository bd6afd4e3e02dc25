package io.feedsync.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code source.incremental.lookback}: a record committed late, stamped a little behind the
 * watermark, is still picked up; the overlap is read again but, unchanged, rewrites nothing.
 */
@TestPropertySource(properties = {
        "feedsync.feeds.plans-lookback.source.url=${test.upstream}/page/plans",
        "feedsync.feeds.plans-lookback.source.pagination.type=page",
        "feedsync.feeds.plans-lookback.source.pagination.size=4",
        "feedsync.feeds.plans-lookback.source.records=/epa_clients",
        "feedsync.feeds.plans-lookback.source.incremental.cursor=/last_validated_at",
        "feedsync.feeds.plans-lookback.source.incremental.param=since",
        "feedsync.feeds.plans-lookback.source.incremental.format=iso-instant",
        "feedsync.feeds.plans-lookback.source.incremental.lookback=5m",
        "feedsync.feeds.plans-lookback.transform.mapping.epa_type=/key",
        "feedsync.feeds.plans-lookback.transform.mapping.ncpdp_version=/version",
        "feedsync.feeds.plans-lookback.transform.mapping.gateway_id=/id",
        "feedsync.feeds.plans-lookback.target.table=test_plans",
        "feedsync.feeds.plans-lookback.target.shared=true",
        "feedsync.feeds.plans-lookback.target.key=epa_type"})
class IncrementalLookbackTest extends FeedsyncTest {

    private static final Instant T0 = Instant.parse("2026-05-18T01:00:00Z");

    @Test
    void aRecordCommittedLateJustBehindTheWatermarkIsPickedUpAndTheOverlapIsNotRewritten() {
        List<ObjectNode> records = new ArrayList<>();
        for (int id = 1; id <= 10; id++) {
            records.add(FakeUpstream.plan(id, "v1", T0.plusSeconds(60L * id)));
        }
        upstream.dataset("plans", records);
        JsonNode first = api.run("plans-lookback", "{\"mode\":\"incremental\"}");
        assertThat(first.get("watermark").asText()).isEqualTo(T0.plusSeconds(600).toString());

        // committed late: stamped 2 minutes behind the watermark, after the first run read past it
        upstream.dataset("plans").add(FakeUpstream.plan(11, "v1", T0.plusSeconds(480)));
        int asked = upstream.requests().size();
        JsonNode second = api.run("plans-lookback", "{\"mode\":\"incremental\"}");

        assertThat(second.get("status").asText()).as(second.toString()).isEqualTo("SUCCEEDED");
        assertThat(upstream.requests().subList(asked, upstream.requests().size())).isNotEmpty()
                .allSatisfy(request -> assertThat(request.query().get("since"))
                .isEqualTo(T0.plusSeconds(300).toString()));
        assertThat(second.at("/counts/inserted").asInt()).as("the late record").isEqualTo(1);
        assertThat(second.at("/counts/updated").asInt()).as("the overlap is not rewritten").isZero();
        assertThat(second.at("/counts/unchanged").asInt()).as("records 5 to 10, read again").isEqualTo(6);
        assertThat(count("select count(*) from test_plans where epa_type = 'Payer_11'")).isEqualTo(1);
        assertThat(second.get("watermark").asText()).as("never backwards").isEqualTo(T0.plusSeconds(600).toString());
    }
}
