package io.feedsync.run;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.feedsync.support.Api;
import io.feedsync.support.FamilyUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Child feeds (source.for-each) through the real routes: {@code appointments} is fetched once per live
 * row of {@code clients}' table, from a loopback upstream that serves {@code /family/clients} and
 * {@code /family/clients/{id}/appointments}, both in cursor pages of two, and counts what it is asked.
 */
class ChildFeedTest extends FeedsyncTest {

    private final FamilyUpstream family = new FamilyUpstream();

    /** The feeds the tests define over the API, children before parents. */
    private static final List<String> DEFINED = List.of("appointment-notes", "appointments-strict",
            "appointments-batched", "appointments-serial", "appointments-after", "appointments-events", "orphans",
            "selfish", "loop-b", "loop-a", "kid-of-hidden");

    @AfterEach
    void forgetDefinedFeeds() {
        DEFINED.forEach(feed -> api.delete("/api/feeds/" + feed));
    }

    @BeforeEach
    void family() {
        upstream.serve("/family", family);
        for (int id = 1; id <= 5; id++) {
            family.client(id, "Client " + id);
            family.appointments(id, 3);
        }
    }

    @Test
    void eachChildRowCarriesItsParentsKeyAndTheRunCountsItsParents() {
        assertThat(api.run("clients").get("status").asText()).isEqualTo("SUCCEEDED");

        JsonNode run = api.run("appointments");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(15);
        assertThat(run.get("parents").toString())
                .isEqualTo("{\"total\":5,\"fetched\":5,\"notFound\":0,\"failed\":0}");
        assertThat(jdbc.queryForList("select appointment_id || '@' || client_id from test_appointments"
                + " order by appointment_id", String.class)).hasSize(15).contains("a1-1@1", "a1-3@1", "a5-2@5");
        assertThat(count("select count(*) from test_appointments where starts_at is null")).isZero();
        // each client: two pages (records 1-2, then 3)
        assertThat(family.requested.stream().filter(r -> r.startsWith("clients/2/")).toList())
                .containsExactly("clients/2/appointments", "clients/2/appointments?cursor=2");
        assertThat(api.get("/api/runs/" + run.get("runId").asLong()).json().get("parents").get("total").asLong())
                .isEqualTo(5);
    }

    @Test
    void neverMoreParentsInFlightThanItsConcurrency() {
        for (int id = 6; id <= 12; id++) {
            family.client(id, "Client " + id);
            family.appointments(id, 1);
        }
        api.run("clients");
        family.delayMillis = 150;

        JsonNode run = api.run("appointments");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("parents").get("fetched").asLong()).isEqualTo(12);
        assertThat(family.maxInFlight.get()).as("for-each.concurrency: 3").isEqualTo(3);
    }

    @Test
    void aParentThatAnswers404IsSkippedAndCountedAndItsChildrenStay() {
        api.run("clients");
        api.run("appointments");
        family.missing.add(3);
        family.appointments.get(1).remove(2);

        JsonNode run = api.run("appointments", "{\"mode\": \"full\"}");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("parents").toString())
                .isEqualTo("{\"total\":5,\"fetched\":4,\"notFound\":1,\"failed\":0}");
        assertThat(jdbc.queryForList("select appointment_id from test_appointments where deleted_at is not null",
                String.class)).as("a full run deletes only what a parent fetched whole no longer lists")
                .containsExactly("a1-3");
        assertThat(count("select count(*) from test_appointments where client_id = 3 and deleted_at is null"))
                .as("client 3 was not fetched: its children are not called gone").isEqualTo(3);
    }

    @Test
    void onNotFoundFailFailsTheRun() {
        api.run("clients");
        api.put("/api/feeds/appointments-strict", childDefinition("\"on-not-found\": \"fail\"", ""));
        family.missing.add(2);

        JsonNode run = api.run("appointments-strict");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("error").get("class").asText()).isEqualTo("PERMANENT");
        assertThat(run.get("error").get("httpStatus").asInt()).isEqualTo(404);
        assertThat(run.get("error").get("message").asText()).contains("parent 2");
        assertThat(run.get("parents").get("failed").asLong()).isEqualTo(1);
    }

    @Test
    void anIncrementalRunWithChangedOnlyFetchesOnlyTheParentsChangedSinceItsLastSuccess() {
        api.run("clients");
        api.run("appointments");
        family.client(2, "Client 2, renamed");
        family.appointments(2, 4);
        family.client(6, "Client 6");
        family.appointments(6, 1);
        family.appointments(4, 5);
        assertThat(api.run("clients").get("counts").get("updated").asLong()).isEqualTo(1);
        family.requested.clear();

        JsonNode run = api.run("appointments");

        assertThat(run.get("mode").asText()).isEqualTo("incremental");
        assertThat(run.get("parents").get("total").asLong()).as("client 2 updated, client 6 inserted").isEqualTo(2);
        assertThat(family.requested).allMatch(r -> r.startsWith("clients/2/") || r.startsWith("clients/6/"));
        assertThat(count("select count(*) from test_appointments where client_id = 2")).isEqualTo(4);
        assertThat(count("select count(*) from test_appointments where client_id = 6")).isEqualTo(1);
        assertThat(count("select count(*) from test_appointments where client_id = 4"))
                .as("client 4 did not change: its new appointments wait for a full run").isEqualTo(3);

        JsonNode full = api.run("appointments", "{\"mode\": \"full\"}");
        assertThat(full.get("parents").get("total").asLong()).isEqualTo(6);
        assertThat(count("select count(*) from test_appointments where client_id = 4")).isEqualTo(5);
    }

    @Test
    void aParentDeletedUpstreamTakesItsChildrenWithIt() {
        api.run("clients");
        api.run("appointments");
        family.clients.remove(5);
        assertThat(api.run("clients").get("counts").get("deleted").asLong()).isEqualTo(1);
        family.requested.clear();

        JsonNode run = api.run("appointments");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("deleted").asLong()).isEqualTo(3);
        assertThat(jdbc.queryForList("select appointment_id from test_appointments where deleted_at is not null"
                + " order by 1", String.class)).containsExactly("a5-1", "a5-2", "a5-3");
        assertThat(family.requested).as("nothing changed but the deletion: no parent to fetch").isEmpty();
        assertThat(run.get("parents").get("total").asLong()).isZero();
    }

    @Test
    void dryRunsAndChangeEventsWorkOnAChildFeedAsOnAnyOther() {
        api.run("clients");
        Api.Answer put = api.put("/api/feeds/appointments-events",
                childDefinition("\"concurrency\": 2", "").replace("\"deletion-guard\"",
                        "\"notify\": {\"retention\": \"7d\"}, \"deletion-guard\""));
        assertThat(put.status()).as(put.raw().body()).isEqualTo(201);

        JsonNode dry = api.run("appointments-events", "{\"dryRun\": true, \"mode\": \"full\"}");
        assertThat(dry.get("counts").get("inserted").asLong()).isEqualTo(15);
        assertThat(dry.get("parents").get("fetched").asLong()).isEqualTo(5);
        assertThat(count("select count(*) from test_child_rows")).as("a dry run writes nothing").isZero();

        api.run("appointments-events");
        assertThat(count("select count(*) from sync_change where feed = 'appointments-events' and op = 'inserted'"))
                .isEqualTo(15);
        family.clients.remove(5);
        api.run("clients");
        JsonNode cascade = api.run("appointments-events");

        assertThat(cascade.get("counts").get("deleted").asLong()).isEqualTo(3);
        assertThat(jdbc.queryForList("select record_key from sync_change where feed = 'appointments-events'"
                + " and op = 'deleted' order by record_key", String.class)).containsExactly("a5-1", "a5-2", "a5-3");
    }

    @Test
    void aDriftCheckOfAChildFeedComparesTheChildrenOfTheParentsItFetched() {
        api.run("clients");
        api.run("appointments");
        jdbc.update("delete from test_appointments where appointment_id = 'a2-1'");
        jdbc.update("insert into test_appointments (appointment_id, client_id) values ('local-1', 4)");
        family.missing.add(5);

        JsonNode drift = api.awaitDrift(api.startDrift("appointments"));

        assertThat(drift.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(drift.get("missingLocally").get("sample")).extracting(JsonNode::asText).containsExactly("a2-1");
        assertThat(drift.get("extraLocally").get("sample")).extracting(JsonNode::asText)
                .as("client 5 answered 404: its children are not compared").containsExactly("local-1");
        assertThat(count("select count(*) from test_appointments")).as("nothing written").isEqualTo(15);
    }

    @Test
    void aChildFeedIsTheParentOfAnotherAndTheGrandparentsKeyGoesDownTheChain() {
        api.run("clients");
        api.run("appointments");
        Api.Answer put = api.put("/api/feeds/appointment-notes", """
                {"source": {"url": "%s/family/appointments/{appointment_id}/notes",
                            "for-each": {"feed": "appointments", "columns": ["appointment_id", "client_id"]},
                            "records": "/items"},
                 "transform": {"mapping": {"appointment_id": "/id", "client_id": {"parent": "client_id"}}},
                 "target": {"table": "test_child_rows", "key": ["appointment_id"], "shared": true}}
                """.formatted(upstream.url("")));
        assertThat(put.status()).as(put.raw().body()).isEqualTo(201);

        JsonNode run = api.run("appointment-notes");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("parents").get("fetched").asLong()).isEqualTo(15);
        assertThat(jdbc.queryForObject("select client_id from test_child_rows where appointment_id = 'a4-2-note'",
                Integer.class)).isEqualTo(4);
    }

    @Test
    void batchSendsTheParentsIdsJoinedInOneRequest() {
        api.run("clients");
        Api.Answer put = api.put("/api/feeds/appointments-batched", """
                {"source": {"url": "%s/family/appointments?client_ids={client_id}",
                            "for-each": {"feed": "clients", "columns": ["client_id"], "batch": 2},
                            "records": "/items"},
                 "transform": {"mapping": {"appointment_id": "/id",
                                           "client_id": {"parent": "client_id", "pointer": "/client_id"}}},
                 "target": {"table": "test_child_rows", "key": ["appointment_id"], "shared": true}}
                """.formatted(upstream.url("")));
        assertThat(put.status()).as(put.raw().body()).isEqualTo(201);

        JsonNode run = api.run("appointments-batched");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(family.requested).containsExactly("appointments?client_ids=1,2", "appointments?client_ids=3,4",
                "appointments?client_ids=5");
        assertThat(count("select count(*) from test_child_rows")).isEqualTo(15);
        assertThat(count("select count(*) from test_child_rows where appointment_id like 'a4-%' and client_id = 4"))
                .isEqualTo(3);
        assertThat(run.get("parents").get("fetched").asLong()).isEqualTo(5);
    }

    @Test
    void aChildRunThatFailedResumesAtTheParentWhereItStopped() {
        for (int id = 6; id <= 9; id++) {
            family.client(id, "Client " + id);
            family.appointments(id, 1);
        }
        api.run("clients");
        api.put("/api/feeds/appointments-serial", childDefinition("", ""));
        family.failing.put(4, new AtomicInteger(2));

        JsonNode failed = api.run("appointments-serial");

        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("error").get("class").asText()).isEqualTo("TRANSIENT");
        assertThat(failed.get("error").get("httpStatus").asInt()).isEqualTo(503);
        assertThat(failed.get("parents").get("failed").asLong()).isEqualTo(1);
        assertThat(jdbc.queryForObject("select checkpoint->'afterParent'->>0 from sync_run where id = ?", String.class,
                failed.get("runId").asLong())).isEqualTo("3");
        family.requested.clear();

        JsonNode resumed = api.run("appointments-serial");

        assertThat(resumed.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(resumed.get("resumedFrom").asLong()).isEqualTo(failed.get("runId").asLong());
        assertThat(family.requested.get(0)).isEqualTo("clients/4/appointments");
        assertThat(family.requested).noneMatch(r -> r.matches("clients/[123]/.*"));
        assertThat(resumed.get("parents").get("total").asLong()).as("clients 4 to 9").isEqualTo(6);
        assertThat(count("select count(*) from test_child_rows")).isEqualTo(3 * 5 + 4);
    }

    @Test
    void aChunkThatCouldNotBeWrittenKeepsTheCheckpointBeforeItsParents() {
        api.run("clients");
        family.appointments.get(3).get(0).put("id", "fails-transiently");

        JsonNode failed = api.run("appointments", "{\"mode\": \"full\"}");

        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("error").get("class").asText()).isEqualTo("TRANSIENT");
        assertThat(jdbc.queryForObject("select checkpoint from sync_run where id = ?", String.class,
                failed.get("runId").asLong())).as("the parents' one chunk was not written: no parent is past").isNull();
        family.appointments.get(3).get(0).put("id", "a3-1");
        family.requested.clear();

        JsonNode next = api.run("appointments", "{\"mode\": \"full\"}");

        assertThat(next.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(next.get("resumedFrom").isNull()).isTrue();
        assertThat(next.get("parents").get("fetched").asLong()).isEqualTo(5);
        assertThat(count("select count(*) from test_appointments where deleted_at is null")).isEqualTo(15);
    }

    @Test
    void aCancelledChildRunStopsHandingOutParentsEndsCancelledAndIsResumed() {
        for (int id = 1; id <= 30; id++) {
            family.client(id, "Client " + id);
            family.appointments(id, 1);
        }
        api.run("clients");
        family.delayMillis = 200;
        long runId = api.startRun("appointments", "{\"mode\": \"full\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> family.requested.size() >= 6);

        assertThat(api.post("/api/runs/" + runId + "/cancel", null).status()).isEqualTo(202);
        JsonNode cancelled = api.awaitRun(runId);

        assertThat(cancelled.get("status").asText()).isEqualTo("CANCELLED");
        assertThat(cancelled.get("parents").get("fetched").asLong()).isBetween(1L, 29L);
        int askedBeforeTheEnd = family.requested.size();
        assertThat(family.maxInFlight.get()).isLessThanOrEqualTo(3);
        family.delayMillis = 0;
        family.requested.clear();

        JsonNode resumed = api.run("appointments", "{\"mode\": \"full\"}");

        assertThat(resumed.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(resumed.get("resumedFrom").asLong()).isEqualTo(runId);
        assertThat(family.requested.size()).as("the parents before its checkpoint are not asked again")
                .isLessThan(30 + 5);
        assertThat(askedBeforeTheEnd + family.requested.size()).isGreaterThanOrEqualTo(30);
        assertThat(count("select count(*) from test_appointments where deleted_at is null")).isEqualTo(30);
    }

    @Test
    void aChildFeedDefinedOverTheApiRunsAfterEachSuccessfulRunOfItsParent() {
        Api.Answer put = api.put("/api/feeds/appointments-after", childDefinition("\"after-parent\": true", ""));
        assertThat(put.status()).as(put.raw().body()).isEqualTo(201);

        api.run("clients");

        JsonNode child = awaitRunOf("appointments-after");
        assertThat(child.get("trigger").asText()).isEqualTo("parent");
        assertThat(child.get("triggeredBy").asText()).startsWith("parent clients run ");
        assertThat(child.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count("select count(*) from test_child_rows where client_id is not null")).isEqualTo(15);
    }

    @Test
    void aCycleOfParentsAndAnUnknownParentAreRefused() {
        Api.Answer unknown = api.put("/api/feeds/orphans", childDefinition("", "").replace("\"clients\"", "\"nobody\""));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("message").asText()).contains("no feed named 'nobody'");

        Api.Answer self = api.put("/api/feeds/selfish", childDefinition("", "").replace("\"clients\"", "\"selfish\""));
        assertThat(self.status()).isEqualTo(400);
        assertThat(self.json().get("message").asText()).contains("its own parent");

        assertThat(api.put("/api/feeds/loop-a", childDefinition("", "")).status()).isEqualTo(201);
        assertThat(api.put("/api/feeds/loop-b", childDefinition("", "").replace("\"clients\"", "\"loop-a\""))
                .status()).isEqualTo(201);
        Api.Answer cycle = api.put("/api/feeds/loop-a", childDefinition("", "").replace("\"clients\"", "\"loop-b\""));
        assertThat(cycle.status()).isEqualTo(400);
        assertThat(cycle.json().get("message").asText()).contains("cycle: loop-a → loop-b → loop-a");

        Api.Answer parentGone = api.delete("/api/feeds/loop-a");
        assertThat(parentGone.status()).isEqualTo(409);
        assertThat(parentGone.json().get("error").asText()).isEqualTo("feed_has_children");
        assertThat(api.delete("/api/feeds/loop-b").status()).isEqualTo(200);
        assertThat(api.delete("/api/feeds/loop-a").status()).isEqualTo(200);
    }

    @Test
    void aChildOverTheApiReadsOnlyWhatItsParentWritesOfAConfiguredFeedTheNodeLists() {
        Api.Answer unlisted = api.put("/api/feeds/orphans", childDefinition("", "")
                .replace("\"feed\": \"clients\", \"columns\": [\"client_id\"]", "\"feed\": \"plans\", \"columns\": [\"epa_type\"]")
                .replace("{client_id}", "{epa_type}").replace("{\"parent\": \"client_id\"}", "{\"parent\": \"epa_type\"}"));
        assertThat(unlisted.status()).as(unlisted.raw().body()).isEqualTo(400);
        assertThat(unlisted.json().get("message").asText())
                .contains("'plans' is a feed of the configuration, which a feed defined over the API may name as its"
                        + " parent only if feedsync.security.api-parent-feeds lists it");

        Api.Answer unwritten = api.put("/api/feeds/orphans", childDefinition("", "")
                .replace("\"columns\": [\"client_id\"]", "\"columns\": [\"client_id\", \"deleted_at\"]"));
        assertThat(unwritten.status()).as(unwritten.raw().body()).isEqualTo(400);
        assertThat(unwritten.json().get("message").asText()).contains("source.for-each.columns[1]: 'deleted_at' is not"
                + " a column feed 'clients' writes (its key and mapped columns: [client_id, name, region])");
        assertThat(api.get("/api/feeds/orphans/definition").status()).isEqualTo(404);
    }

    @Test
    void aScopedKeyCannotDefineAChildFeedOfAFeedItDoesNotSee() {
        // a key scoped to plans-incremental: it sees neither clients nor the feed it would define
        Api scoped = api.as(Api.apiKey("test-scoped-key-0123456789ab"));

        Api.Answer refused = scoped.put("/api/feeds/kid-of-hidden", childDefinition("", ""));

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.raw().body()).doesNotContain("clients");
        assertThat(api.get("/api/feeds/kid-of-hidden/definition").status()).isEqualTo(404);
    }

    @Test
    void aDeadLetteredChildRecordKeepsItsParentAndItsReplayMapsItWithIt() {
        api.run("clients");
        family.appointments.get(2).get(1).put("starts_at", "not a time");

        JsonNode run = api.run("appointments");

        assertThat(run.get("counts").get("deadLettered").asLong()).isEqualTo(1);
        JsonNode letter = api.get("/api/feeds/appointments/dead-letters").json().get(0);
        assertThat(letter.get("parent").toString()).isEqualTo("{\"client_id\":\"2\"}");
        jdbc.update("update sync_dead_letter set payload = jsonb_set(payload, '{starts_at}', '\"2026-12-02T10:00:00Z\"')");

        JsonNode replay = api.awaitRun(api.post("/api/feeds/appointments/dead-letters/replay", null).json()
                .get("runId").asLong());

        assertThat(replay.get("status").asText()).as(replay.toString()).isEqualTo("SUCCEEDED");
        assertThat(jdbc.queryForObject("select client_id from test_appointments where appointment_id = 'a2-2'",
                Integer.class)).isEqualTo(2);
    }

    private JsonNode awaitRunOf(String feed) {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            JsonNode runs = api.get("/api/feeds/" + feed + "/runs").json();
            if (runs.size() > 0 && !Api.UNDER_WAY.contains(runs.get(0).get("status").asText())) {
                return runs.get(0);
            }
            sleep(100);
        }
        throw new AssertionError("no finished run of " + feed);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A child feed of clients over the API, writing test_child_rows (shared by them all); {@code forEach} and {@code source}: more keys. */
    private String childDefinition(String forEach, String source) {
        return """
                {"source": {"url": "%s/family/clients/{client_id}/appointments",
                            "for-each": {"feed": "clients", "columns": ["client_id"]%s},
                            "records": "/items", "pagination": {"type": "cursor", "cursor-pointer": "/next"},
                            "retry": {"max-attempts": 2, "initial-backoff": "100ms", "max-backoff": "200ms"}%s},
                 "deletion-guard": "100%%",
                 "transform": {"mapping": {"appointment_id": "/id", "client_id": {"parent": "client_id"},
                                           "starts_at": {"pointer": "/starts_at", "type": "timestamptz"}}},
                 "target": {"table": "test_child_rows", "key": ["appointment_id"], "soft-delete": "deleted_at",
                            "shared": true}}
                """.formatted(upstream.url(""), forEach.isEmpty() ? "" : ", " + forEach,
                source.isEmpty() ? "" : ", " + source);
    }
}
