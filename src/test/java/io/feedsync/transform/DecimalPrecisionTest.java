package io.feedsync.transform;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/** A decimal lands as the upstream wrote it: read exactly, never through a double's 17 digits. */
class DecimalPrecisionTest extends FeedsyncTest {

    @Test
    void aDecimalWithMoreDigitsThanADoubleHoldsLandsExactly() {
        ObjectNode record = FakeUpstream.plan(1, "v1");
        record.put("outgoing_url", new BigDecimal("12345678901234567.1234567890123"));
        record.putArray("client_certificates").addObject().put("fee", new BigDecimal("0.10000000000000000001"));
        upstream.dataset("plans", List.of(record, FakeUpstream.plan(2, "v1")));

        assertThat(api.run("plans").get("status").asText()).isEqualTo("SUCCEEDED");

        assertThat(jdbc.queryForObject("select outgoing_url from test_plans where epa_type = 'Payer_1'", String.class))
                .isEqualTo("12345678901234567.1234567890123");
        assertThat(jdbc.queryForObject("select certificates -> 0 ->> 'fee' from test_plans where epa_type = 'Payer_1'",
                String.class)).isEqualTo("0.10000000000000000001");
    }
}
