package io.feedsync.run;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.Invariants;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The EPA client export, through the real routes: the export lands in the table, exactly and
 * idempotently. Each fault case ends with the {@link Invariants}, after the next clean run where
 * that is what makes the table converge.
 */
class SyncRunTest extends FeedsyncTest {

    /** The fault cleared: the upstream answers again, with {@code records}. */
    private JsonNode nextCleanRun(String feed, List<ObjectNode> records) {
        upstream.reset();
        upstream.dataset("plans", records);
        JsonNode next = api.run(feed);
        assertThat(next.get("status").asText()).isEqualTo("SUCCEEDED");
        return next;
    }

    @Test
    void newUpstreamRecordCreatesTheRow() {
        upstream.dataset("plans", List.of(FakeUpstream.plan(1, "v2014041")));

        JsonNode run = api.run("plans");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        Map<String, Object> row = jdbc.queryForMap("select * from test_plans where epa_type = 'Payer_1'");
        assertThat(row.get("ncpdp_version")).isEqualTo("v2014041");
        assertThat(row.get("gateway_id")).isEqualTo(1);
        assertThat(row.get("outgoing_url")).isEqualTo("https://payer1.example.org/epa");
        assertThat(row.get("certificates").toString()).contains("\"direction\": \"incoming\"");
    }

    @Test
    void awkwardTextArrivesExactlyAndIsRecognisedUnchangedNextTime() {
        List<String> texts = List.of("NULL", "null", "", "a\"b\\c", "{x,y}", "tab\there, line\nbreak", "ünïcode ✓ 💡", " padded ");
        List<ObjectNode> records = new java.util.ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            ObjectNode record = FakeUpstream.plan(i + 1, texts.get(i));
            record.put("key", "key " + texts.get(i) + " #" + i);
            records.add(record);
        }
        records.get(0).putNull("outgoing_url");
        upstream.dataset("plans", records);

        JsonNode first = api.run("plans");
        JsonNode second = api.run("plans");

        assertThat(first.get("counts").get("inserted").asLong()).isEqualTo(texts.size());
        assertThat(second.get("counts").get("unchanged").asLong()).isEqualTo(texts.size());
        assertThat(jdbc.queryForObject("select outgoing_url from test_plans where epa_type = ?", String.class,
                "key NULL #0")).as("SQL NULL, not the text NULL").isNull();
        for (int i = 0; i < texts.size(); i++) {
            assertThat(jdbc.queryForObject("select ncpdp_version from test_plans where epa_type = ?", String.class,
                    "key " + texts.get(i) + " #" + i)).isEqualTo(texts.get(i));
        }
        assertThat(count("select count(*) from sync_record_hash where feed = 'plans'")).isEqualTo(texts.size());
    }

    @Test
    void changedFieldUpdatesTheRowAndOnlyThatRow() {
        upstream.dataset("plans", FakeUpstream.plans(3, "v2014041"));
        api.run("plans");
        upstream.dataset("plans").set(1, FakeUpstream.plan(2, "v2017071"));

        JsonNode run = api.run("plans");

        assertThat(run.get("counts").get("updated").asLong()).isEqualTo(1);
        assertThat(run.get("counts").get("unchanged").asLong()).isEqualTo(2);
        assertThat(run.get("counts").get("inserted").asLong()).isZero();
        assertThat(jdbc.queryForList("select ncpdp_version from test_plans order by gateway_id", String.class))
                .containsExactly("v2014041", "v2017071", "v2014041");
    }

    @Test
    void sameExportSyncedTwiceCreatesNoDuplicatesAndRewritesNothing() {
        upstream.dataset("plans", FakeUpstream.plans(10, "v2017071"));

        JsonNode first = api.run("plans");
        List<String> versionsAfterFirst = jdbc.queryForList("select xmin::text from test_plans order by epa_type", String.class);
        JsonNode second = api.run("plans");

        assertThat(first.get("counts").get("fetched").asLong()).isEqualTo(10);
        assertThat(first.get("counts").get("inserted").asLong()).isEqualTo(10);
        assertThat(second.get("counts").get("inserted").asLong()).isZero();
        assertThat(second.get("counts").get("updated").asLong()).isZero();
        assertThat(second.get("counts").get("unchanged").asLong()).isEqualTo(10);
        assertThat(count("select count(*) from test_plans")).isEqualTo(10);
        assertThat(jdbc.queryForList("select xmin::text from test_plans order by epa_type", String.class))
                .as("unchanged rows are not rewritten").isEqualTo(versionsAfterFirst);
    }

    @Test
    void keyRepeatedInsideOneExportIsAppliedOnceWithTheLastValue() {
        ObjectNode older = FakeUpstream.plan(1, "v1");
        ObjectNode newer = FakeUpstream.plan(1, "v2");
        upstream.dataset("plans", List.of(older, FakeUpstream.plan(2, "v1"), newer));

        JsonNode run = api.run("plans");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count("select count(*) from test_plans")).isEqualTo(2);
        assertThat(jdbc.queryForObject("select ncpdp_version from test_plans where epa_type = 'Payer_1'", String.class))
                .isEqualTo("v2");
    }

    @Test
    void upstreamErrorFailsTheRunAndLeavesTheTableUnchanged() {
        upstream.dataset("plans", FakeUpstream.plans(6, "v2014041"));
        api.run("plans");
        upstream.dataset("plans", FakeUpstream.plans(6, "v2017071"));
        upstream.failAlways(request -> true, 500);

        JsonNode run = api.run("plans");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("error").get("class").asText()).isEqualTo("TRANSIENT");
        assertThat(run.get("error").get("httpStatus").asInt()).isEqualTo(500);
        assertThat(run.get("error").get("message").asText()).contains("HTTP 500");
        assertThat(run.get("error").get("url").asText()).startsWith(upstream.url("/link/plans"));
        assertThat(run.get("finishedAt").isNull()).isFalse();
        assertThat(jdbc.queryForList("select distinct ncpdp_version from test_plans", String.class))
                .containsExactly("v2014041");
        assertThat(count("select count(*) from test_plans")).isEqualTo(6);
        Invariants invariants = Invariants.plans(jdbc, "plans");
        invariants.checkConsistent(upstream.dataset("plans"));

        JsonNode next = nextCleanRun("plans", FakeUpstream.plans(6, "v2017071"));

        assertThat(next.get("counts").get("updated").asLong()).isEqualTo(6);
        invariants.check(upstream.dataset("plans"));
    }

    @Test
    void errorOnALaterPageFailsTheRunAfterTheEarlierPagesAreCounted() {
        upstream.dataset("plans", FakeUpstream.plans(10, "v1"));
        upstream.failAlways(request -> request.page() == 2, 503);

        JsonNode run = api.run("plans");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("pages").asInt()).isEqualTo(1);
        assertThat(run.get("counts").get("fetched").asLong()).isEqualTo(4);
        assertThat(run.get("error").get("url").asText()).contains("page=2");
        Invariants invariants = Invariants.plans(jdbc, "plans");
        invariants.checkConsistent(upstream.dataset("plans"));

        JsonNode next = nextCleanRun("plans", FakeUpstream.plans(10, "v1"));

        assertThat(next.get("counts").get("inserted").asLong()).as("records 5..10").isEqualTo(6);
        invariants.check(upstream.dataset("plans"));
    }

    @Test
    void clientErrorIsPermanent() {
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));
        upstream.failAlways(request -> true, 404);

        JsonNode run = api.run("plans");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("error").get("class").asText()).isEqualTo("PERMANENT");
        assertThat(run.get("error").get("httpStatus").asInt()).isEqualTo(404);
        Invariants invariants = Invariants.plans(jdbc, "plans");
        invariants.checkConsistent(upstream.dataset("plans"));

        nextCleanRun("plans", FakeUpstream.plans(2, "v1"));

        invariants.check(upstream.dataset("plans"));
    }

    @Test
    void truncatedPageFailsPermanentlyAndWritesNothing() {
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));
        upstream.fail(request -> true, 200, "{\"epa_clients\": [{\"key\": \"Payer_1\", \"version\": \"v1\", \"id\": 1}, {\"key\"",
                Map.of(), 1);

        JsonNode run = api.run("plans");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("error").get("class").asText()).isEqualTo("PERMANENT");
        assertThat(run.get("error").get("message").asText()).contains("not valid JSON");
        assertThat(count("select count(*) from test_plans")).isZero();
        Invariants invariants = Invariants.plans(jdbc, "plans");
        invariants.checkConsistent(upstream.dataset("plans"));

        nextCleanRun("plans", FakeUpstream.plans(2, "v1"));

        invariants.check(upstream.dataset("plans"));
    }

    @Test
    void pageWithoutTheRecordsArrayFailsPermanently() {
        upstream.fail(request -> true, 200, "{\"clients\": []}", Map.of(), 1);

        JsonNode run = api.run("plans");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("error").get("class").asText()).isEqualTo("PERMANENT");
        assertThat(run.get("error").get("message").asText()).contains("no array at records pointer '/epa_clients'");
        Invariants invariants = Invariants.plans(jdbc, "plans");
        invariants.checkConsistent(List.of());

        nextCleanRun("plans", FakeUpstream.plans(3, "v1"));

        invariants.check(upstream.dataset("plans"));
    }

    @Test
    void recordWithoutItsKeyIsDeadLetteredAndTheOthersLand() {
        ObjectNode keyless = FakeUpstream.plan(4, "v1");
        keyless.remove("key");
        List<ObjectNode> records = new java.util.ArrayList<>(FakeUpstream.plans(3, "v1"));
        records.add(keyless);
        records.add(FakeUpstream.plan(5, "v1"));
        upstream.dataset("plans", records);

        JsonNode run = api.run("plans");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("fetched").asLong()).isEqualTo(5);
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(4);
        assertThat(run.get("counts").get("deadLettered").asLong()).isEqualTo(1);
        Map<String, Object> letter = jdbc.queryForMap("select * from sync_dead_letter");
        assertThat(letter.get("feed")).isEqualTo("plans");
        assertThat(letter.get("run_id")).isEqualTo(run.get("runId").asLong());
        assertThat(letter.get("error_message").toString()).contains("no value for key column 'epa_type'");
        assertThat(letter.get("payload").toString()).contains("\"id\": 4");
        Invariants.plans(jdbc, "plans").check(records);
    }

    @Test
    void deadLetteredLastRecordOfAPageDoesNotHoldBackThePagesBatch() {
        ObjectNode keyless = FakeUpstream.plan(4, "v1");
        keyless.remove("key");
        List<ObjectNode> records = new java.util.ArrayList<>(FakeUpstream.plans(3, "v1"));
        records.add(keyless);
        upstream.dataset("plans", records);

        JsonNode run = api.run("plans");

        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(3);
        assertThat(count("select count(*) from test_plans")).isEqualTo(3);
        Invariants.plans(jdbc, "plans").check(records);
    }

    @Test
    void unreachableUpstreamFailsTransientWithTheUrl() {
        JsonNode run = api.run("plans-unreachable");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("error").get("class").asText()).isEqualTo("TRANSIENT");
        assertThat(run.get("error").get("message").asText()).startsWith("upstream unreachable");
        assertThat(run.get("error").get("url").asText()).isEqualTo("http://127.0.0.1:1/all/plans");
        // the feed's URL is its configuration: no clean run can follow, the upstream gave nothing
        Invariants.plans(jdbc, "plans-unreachable").checkConsistent(List.of());
    }
}
