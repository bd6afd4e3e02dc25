package io.feedsync.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rows reach PostgreSQL through COPY's text format, where tabs, newlines, carriage returns and
 * backslashes have a meaning of their own and {@code \N} means NULL: every such value lands
 * exactly as the upstream sent it, in a key column as in any other, and a second run finds every
 * row unchanged. PostgreSQL's text cannot hold a NUL character at all: such a record is
 * dead-lettered (its payload with U+FFFD in the NUL's place), and the records around it land.
 */
class CopyEscapingTest extends FeedsyncTest {

    private static final Map<String, String> AWKWARD = new LinkedHashMap<>();

    static {
        AWKWARD.put("tab", "a\tb");
        AWKWARD.put("newline", "line one\nline two");
        AWKWARD.put("carriage-return", "a\r\nb\r");
        AWKWARD.put("backslash", "C:\\path\\to\\");
        AWKWARD.put("null-marker", "\\N");
        AWKWARD.put("escaped-tab-text", "\\t and \\n as text");
        AWKWARD.put("emoji", "\uD83D\uDE80 r\u00e9sum\u00e9 \u4e2d\u6587");
        AWKWARD.put("escapes-after-non-ascii", "\u00e9\t\u4e2d\n\\N\r\uD83D\uDE80\\");
        AWKWARD.put("quotes", "\"double\" and 'single' {braces} [brackets], commas");
        AWKWARD.put("empty", "");
    }

    @Test
    void valuesWithCopyFormatCharactersRoundTripExactly() {
        List<ObjectNode> records = new ArrayList<>();
        int id = 1;
        for (Map.Entry<String, String> value : AWKWARD.entrySet()) {
            ObjectNode record = FakeUpstream.plan(id++, value.getValue());
            record.put("key", value.getKey() + "|" + value.getValue());
            record.put("outgoing_url", value.getValue());
            records.add(record);
        }
        ObjectNode nullUrl = FakeUpstream.plan(id, "v1");
        nullUrl.putNull("outgoing_url");
        records.add(nullUrl);
        upstream.dataset("plans", records);

        JsonNode first = api.run("plans-paged");

        assertThat(first.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(first.get("counts").get("inserted").asLong()).isEqualTo(AWKWARD.size() + 1);
        for (Map.Entry<String, String> value : AWKWARD.entrySet()) {
            Map<String, Object> row = jdbc.queryForMap(
                    "select ncpdp_version, outgoing_url from test_plans where epa_type = ?",
                    value.getKey() + "|" + value.getValue());
            assertThat(row.get("ncpdp_version")).as(value.getKey()).isEqualTo(value.getValue());
            assertThat(row.get("outgoing_url")).as(value.getKey()).isEqualTo(value.getValue());
        }
        assertThat(jdbc.queryForObject("select outgoing_url is null from test_plans where epa_type = ?", Boolean.class,
                nullUrl.get("key").asText())).as("JSON null is SQL NULL, not the text \\N").isTrue();

        JsonNode second = api.run("plans-paged");

        assertThat(second.get("counts").get("unchanged").asLong()).isEqualTo(AWKWARD.size() + 1);
        assertThat(count("select count(*) from sync_record_hash where feed = 'plans-paged'")).isEqualTo(AWKWARD.size() + 1);
    }

    @Test
    void nulCharacterIsDeadLetteredAndTheRestOfTheChunkLands() {
        List<ObjectNode> records = new ArrayList<>(FakeUpstream.plans(3, "v1"));
        records.set(1, FakeUpstream.plan(2, "before\u0000after"));
        upstream.dataset("plans", records);

        JsonNode run = api.run("plans-paged");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(2);
        assertThat(run.get("counts").get("deadLettered").asLong()).isEqualTo(1);
        assertThat(jdbc.queryForList("select epa_type from test_plans order by epa_type", String.class))
                .containsExactly("Payer_1", "Payer_3");
        assertThat(jdbc.queryForObject("select record_key from sync_dead_letter where feed = 'plans-paged'", String.class))
                .isEqualTo("Payer_2");
        assertThat(jdbc.queryForObject("select payload->>'version' from sync_dead_letter where feed = 'plans-paged'",
                String.class)).as("jsonb cannot hold U+0000 either: the letter keeps U+FFFD in its place")
                .isEqualTo("before\uFFFDafter");
    }
}
