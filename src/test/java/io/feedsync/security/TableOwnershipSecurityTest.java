package io.feedsync.security;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedConfigException;
import io.feedsync.run.DefinedFeeds;
import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.StartupCheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An operator key cannot reach a table another feed writes, feedsync's own tables or PostgreSQL's,
 * through the real API: a feed put on the sample feed's table is refused naming that feed, before
 * {@code target.create} could alter it or a full run soft-delete its rows; system catalogs and
 * feedsync's schema are refused however the table is written; feeds that both say
 * {@code target.shared} share a table and each soft-deletes only its own rows; {@code target.create}
 * adds no column to a table feedsync did not create for the feed; a configured clash stops startup.
 * (The test configuration's feeds share {@code test_plans} and the epa_* tables this way.)
 */
class TableOwnershipSecurityTest extends FeedsyncTest {

    private static final String PROBE = "probe-plans";

    @Autowired
    DefinedFeeds defined;
    @Autowired
    FeedCatalog catalog;

    @BeforeEach
    @AfterEach
    void noProbeFeedsNorTables() {
        jdbc.update("delete from sync_feed_definition where feed like 'probe-%' or feed like 'share-%'");
        defined.reconcile();
        jdbc.execute("drop table if exists public.shared_plans, public.own_plans");
    }

    @Test
    void aFeedOnTheSampleFeedsTableIsRefusedNamingItAndNothingIsAlteredStoredOrDeleted() {
        upstream.dataset("clients", FakeUpstream.plans(6, "v1"));
        assertThat(api.run("epa-clients").get("status").asText()).isEqualTo("SUCCEEDED");
        Map<String, String> columnsBefore = columns("epa_plans");
        upstream.dataset("probe", List.of());

        // the probe as sent: the sample feed's table, target.create with a column it lacks, full runs
        Api.Answer refused = api.put("/api/feeds/" + PROBE, """
                {"mode": "full", "deletion-guard": "100%%",
                 "source": {"url": "%s", "records": "/epa_clients"},
                 "transform": {"mapping": {"epa_type": {"pointer": "/key", "type": "text"},
                                           "probe": {"pointer": "/version", "type": "text"}}},
                 "target": {"table": "public.epa_plans", "key": ["epa_type"], "soft-delete": "deleted_at", "create": true}}"""
                .formatted(upstream.url("/all/probe")));

        assertThat(refused.status()).as(refused.raw().body()).isEqualTo(400);
        assertThat(refused.json().get("error").asText()).isEqualTo("bad_request");
        assertThat(problems(refused)).containsExactly("feedsync.feeds.probe-plans.target.table: table"
                + " 'public.epa_plans' is written by feed 'epa-clients' already; two feeds write one table only when"
                + " both say target.shared: true");
        assertThat(columns("epa_plans")).as("no ALTER TABLE").isEqualTo(columnsBefore);
        assertThat(count("select count(*) from sync_feed_definition where feed = ?", PROBE)).as("nothing stored").isZero();
        assertThat(count("select count(*) from sync_table_owner where feed = ?", PROBE)).isZero();
        assertThat(api.post("/api/feeds/" + PROBE + "/runs", "{\"mode\": \"full\", \"confirm\": true}").status())
                .as("no feed to run").isEqualTo(404);
        assertThat(count("select count(*) from epa_plans where deleted_at is null")).as("no row soft-deleted").isEqualTo(6);

        // written without its schema, it is the same table
        Api.Answer unqualified = api.put("/api/feeds/" + PROBE, definition("epa_plans", "/all/probe", ""));
        assertThat(unqualified.status()).isEqualTo(400);
        assertThat(problems(unqualified)).singleElement().asString()
                .startsWith("feedsync.feeds.probe-plans.target.table: table 'public.epa_plans' is written by feed 'epa-clients'");
        // the bundled mapper's other tables are the sample feed's too
        Api.Answer beanTables = api.put("/api/feeds/" + PROBE, """
                {"source": {"url": "%s", "records": "/epa_clients"}, "transform": {"bean": "epaClientMapper"},
                 "target": {"table": "test_no_unique_key", "key": ["epa_type"]}}""".formatted(upstream.url("/all/probe")));
        assertThat(beanTables.status()).isEqualTo(400);
        assertThat(problems(beanTables)).anySatisfy(problem -> assertThat(problem).startsWith(
                "feedsync.feeds.probe-plans.transform.bean: table 'public.epa_certificates' is written by feed 'epa-clients'"));
        assertThat(count("select count(*) from sync_feed_definition where feed = ?", PROBE)).isZero();
    }

    @Test
    void tablesOfPostgresqlAndOfFeedsyncAreRefusedHoweverTheyAreWritten() {
        String refusedAsPostgresqls = "is in schema %s, which is PostgreSQL's own; name a table of yours";
        Map<String, String> targets = new LinkedHashMap<>();
        targets.put("pg_catalog.pg_authid", refusedAsPostgresqls.formatted("pg_catalog"));
        // unqualified: PostgreSQL looks in pg_catalog first
        targets.put("pg_authid", refusedAsPostgresqls.formatted("pg_catalog"));
        targets.put("information_schema.x", refusedAsPostgresqls.formatted("information_schema"));
        targets.put("information_schema.tables", refusedAsPostgresqls.formatted("information_schema"));
        targets.put("pg_toast.x", refusedAsPostgresqls.formatted("pg_toast"));
        targets.put("pg_temp.x", refusedAsPostgresqls.formatted("pg_temp"));
        targets.put("feedsync.sync_run", "is one of feedsync's own (schema feedsync)");
        // unqualified: feedsync's schema comes first on its connections' search path
        targets.put("sync_run", "is one of feedsync's own (schema feedsync)");

        targets.forEach((table, refusal) -> {
            Api.Answer answer = api.put("/api/feeds/" + PROBE, definition(table, "/all/probe", ""));
            assertThat(answer.status()).as(table + ": " + answer.raw().body()).isEqualTo(400);
            assertThat(problems(answer)).as(table).singleElement().asString()
                    .startsWith("feedsync.feeds.probe-plans.target.table: table '" + table + "' " + refusal);
        });
        Api.Answer created = api.put("/api/feeds/" + PROBE, definition("pg_temp.probe_created", "/all/probe",
                ", \"create\": true").replace("\"/key\"", "{\"pointer\": \"/key\", \"type\": \"text\"}"));
        assertThat(created.status()).isEqualTo(400);
        assertThat(count("select count(*) from sync_feed_definition where feed = ?", PROBE)).isZero();
        assertThat(count("select count(*) from pg_class where relname = 'probe_created'")).as("nothing created").isZero();
    }

    @Test
    void twoApiFeedsThatShareATableEachSoftDeleteAndCountOnlyTheirOwnRows() {
        createSharedPlans();
        upstream.dataset("share-a", rows("A", 3, false));
        upstream.dataset("share-b", rows("B", 3, false));
        String shared = ", \"shared\": true, \"soft-delete\": \"deleted_at\"";
        Api.Answer a = api.put("/api/feeds/share-a", definition("shared_plans", "/all/share-a",
                shared + ", \"soft-delete-after\": 2"));
        Api.Answer b = api.put("/api/feeds/share-b", definition("public.shared_plans", "/all/share-b", shared));
        assertThat(a.status()).as(a.raw().body()).isEqualTo(201);
        assertThat(b.status()).as(b.raw().body()).isEqualTo(201);
        assertThat(api.run("share-a").get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(api.run("share-b").get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count("select count(*) from shared_plans")).isEqualTo(6);

        // feed a's upstream lost two of its records; b's rows were never in it
        upstream.dataset("share-a", rows("A", 1, false));
        JsonNode first = api.run("share-a", "{\"confirm\": true}");

        assertThat(first.get("status").asText()).as(first.toString()).isEqualTo("SUCCEEDED");
        assertThat(first.at("/counts/pendingDeletes").asLong()).as("its own two, missed once").isEqualTo(2);
        assertThat(jdbc.queryForList("select array_to_string(key, '|') from sync_missed_key where feed = 'share-a'"
                + " order by 1", String.class)).containsExactly("A_2", "A_3");

        JsonNode second = api.run("share-a", "{\"confirm\": true}");

        assertThat(second.at("/counts/deleted").asLong()).isEqualTo(2);
        assertThat(jdbc.queryForList("select epa_type from shared_plans where deleted_at is not null order by 1",
                String.class)).containsExactly("A_2", "A_3");

        // a third feed that does not say shared is refused, naming one that writes the table
        Api.Answer unshared = api.put("/api/feeds/share-c", definition("shared_plans", "/all/share-b", ""));
        assertThat(unshared.status()).isEqualTo(400);
        assertThat(problems(unshared)).singleElement().asString().startsWith("feedsync.feeds.share-c.target.table:"
                + " table 'public.shared_plans' is written by feed 'share-a' (defined over the API) already");
        assertThat(count("select count(*) from sync_feed_definition where feed = 'share-c'")).isZero();
    }

    @Test
    void aDeleteMarkerForAnotherFeedsRowOfASharedTableDeletesNothing() {
        createSharedPlans();
        upstream.dataset("share-a", rows("A", 2, false));
        upstream.dataset("share-b", rows("B", 2, false));
        String shared = ", \"shared\": true, \"soft-delete\": \"deleted_at\"";
        String markers = "\"delete-marker\": {\"pointer\": \"/status\", \"value\": \"removed\"}, ";
        assertThat(api.put("/api/feeds/share-a", definition("shared_plans", "/all/share-a", shared)
                .replace("\"records\"", markers + "\"records\"")).status()).isEqualTo(201);
        assertThat(api.put("/api/feeds/share-b", definition("shared_plans", "/all/share-b", shared)).status())
                .isEqualTo(201);
        api.run("share-a");
        api.run("share-b");

        // feed a's upstream marks b's row and one of its own as deleted
        List<ObjectNode> marked = rows("A", 2, false);
        marked.add(rows("B", 1, true).get(0));
        marked.set(0, rows("A", 1, true).get(0));
        upstream.dataset("share-a", marked);
        JsonNode run = api.run("share-a");

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/counts/deleted").asLong()).isEqualTo(1);
        assertThat(jdbc.queryForList("select epa_type from shared_plans where deleted_at is not null", String.class))
                .containsExactly("A_1");
    }

    @Test
    void targetCreateAddsNoColumnToATableFeedsyncDidNotCreate() {
        jdbc.execute("create table public.own_plans (epa_type text primary key, ncpdp_version text, gateway_id integer)");
        Map<String, String> before = columns("own_plans");

        Api.Answer refused = api.put("/api/feeds/" + PROBE, """
                {"source": {"url": "%s", "records": "/epa_clients"},
                 "transform": {"mapping": {"epa_type": "/key", "ncpdp_version": "/version",
                                           "colour": {"pointer": "/colour", "type": "text"}}},
                 "target": {"table": "own_plans", "key": ["epa_type"], "create": true}}"""
                .formatted(upstream.url("/all/probe")));

        assertThat(refused.status()).as(refused.raw().body()).isEqualTo(400);
        assertThat(problems(refused)).containsExactly("feedsync.feeds.probe-plans.transform.mapping.colour: table"
                + " 'public.own_plans' has no column 'colour', and feedsync did not create that table for this feed:"
                + " target.create adds columns only to a table it created for the feed; add the column yourself");
        assertThat(columns("own_plans")).as("no ALTER TABLE").isEqualTo(before);
        assertThat(count("select count(*) from sync_feed_definition where feed = ?", PROBE)).isZero();
    }

    @Test
    void feedsPutOnOneTableAtOnceAreTakenOneAtATime() throws Exception {
        createSharedPlans();
        int feeds = 4;
        CyclicBarrier together = new CyclicBarrier(feeds);
        ExecutorService callers = Executors.newFixedThreadPool(feeds);
        List<Integer> statuses = new ArrayList<>();
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < feeds; i++) {
                String feed = "share-" + i;
                answers.add(callers.submit(() -> {
                    together.await();
                    return api.put("/api/feeds/" + feed, definition("shared_plans", "/all/share-a", "")).status();
                }));
            }
            for (Future<Integer> answer : answers) {
                statuses.add(answer.get(60, TimeUnit.SECONDS));
            }
        } finally {
            callers.shutdownNow();
        }

        assertThat(statuses).as("one feed gets the table").containsOnlyOnce(201).containsOnly(201, 400);
        assertThat(count("select count(*) from sync_feed_definition where feed like 'share-%'")).isEqualTo(1);
    }

    @Test
    void aStoredDefinitionOnAConfiguredFeedsTableIsNotFollowed() {
        // as a definition stored before tables had owners: it never passed the check of a PUT
        String stored = "probe-stored";
        jdbc.update("""
                insert into sync_feed_definition (feed, version, definition, changed_by) values (?, 1, ?::jsonb, 'test')""",
                stored, definition("epa_plans", "/all/probe", ", \"soft-delete\": \"deleted_at\""));

        defined.reconcile();

        assertThat(catalog.contains(stored)).as("not run on this node").isFalse();
        assertThat(api.post("/api/feeds/" + stored + "/runs", "{\"mode\": \"full\", \"confirm\": true}").status())
                .isEqualTo(404);
        assertThat(count("select count(*) from sync_table_owner where feed = ?", stored)).isZero();
    }

    @Test
    void aConfiguredFeedOnATableAnotherFeedWritesStopsStartupUnlessBothShareIt() {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (String feed : List.of("first", "second")) {
            properties.put("feedsync.feeds." + feed + ".source.url", "http://127.0.0.1:1/export");
            properties.put("feedsync.feeds." + feed + ".source.records", "/epa_clients");
            properties.put("feedsync.feeds." + feed + ".transform.mapping.epa_type", "/key");
            properties.put("feedsync.feeds." + feed + ".transform.mapping.ncpdp_version", "/version");
            properties.put("feedsync.feeds." + feed + ".target.key", "epa_type");
        }
        properties.put("feedsync.feeds.first.target.table", "test_plans");
        properties.put("feedsync.feeds.first.target.shared", "true");
        properties.put("feedsync.feeds.second.target.table", "public.test_plans");

        assertThatThrownBy(() -> StartupCheck.start(properties).close())
                .hasRootCauseInstanceOf(FeedConfigException.class).rootCause()
                .hasMessage("feedsync.feeds.second.target.table: table 'public.test_plans' is written by feed 'first'"
                        + " already; two feeds write one table only when both say target.shared: true");

        properties.put("feedsync.feeds.second.target.table", "pg_catalog.pg_authid");
        assertThatThrownBy(() -> StartupCheck.start(properties).close())
                .hasRootCauseInstanceOf(FeedConfigException.class).rootCause()
                .hasMessageStartingWith("feedsync.feeds.second.target.table: table 'pg_catalog.pg_authid' is in schema"
                        + " pg_catalog, which is PostgreSQL's own");

        properties.put("feedsync.feeds.second.target.table", "public.test_plans");
        properties.put("feedsync.feeds.second.target.shared", "true");
        StartupCheck.start(properties).close();

        // a feed defined over the API has a table: a node configured to write it too does not start
        createSharedPlans();
        assertThat(api.put("/api/feeds/share-api", definition("shared_plans", "/all/share-a", "")).status())
                .isEqualTo(201);
        properties.put("feedsync.feeds.second.target.table", "shared_plans");
        properties.remove("feedsync.feeds.second.target.shared");
        assertThatThrownBy(() -> StartupCheck.start(properties).close())
                .hasRootCauseInstanceOf(FeedConfigException.class).rootCause()
                .hasMessage("feedsync.feeds.second.target.table: table 'public.shared_plans' is written by feed"
                        + " 'share-api' (defined over the API) already; two feeds write one table only when both say"
                        + " target.shared: true");
    }

    /** 0A000: ON CONFLICT on a system catalog, as the run against pg_authid met it; 42501: no privilege. */
    @ParameterizedTest(name = "SQLSTATE {0}")
    @ValueSource(strings = {"0A000", "42501"})
    void aWriteThatPostgresqlRefusesForGoodFailsTheRunAsPermanent(String sqlState) {
        List<ObjectNode> plans = FakeUpstream.plans(3, "v1");
        plans.get(1).put("version", "sqlstate-" + sqlState);
        upstream.dataset("plans", plans);

        JsonNode failed = api.run("plans-single");

        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.at("/error/class").asText()).isEqualTo("PERMANENT");
        assertThat(failed.at("/error/message").asText()).contains("scripted failure sqlstate-" + sqlState);
        assertThat(count("select count(*) from sync_dead_letter")).as("not blamed on a row").isZero();
    }

    private void createSharedPlans() {
        jdbc.execute("""
                create table public.shared_plans (epa_type text primary key, ncpdp_version text not null,
                                                  gateway_id integer not null, deleted_at timestamptz)""");
    }

    private static List<ObjectNode> rows(String prefix, int count, boolean deleted) {
        List<ObjectNode> rows = FakeUpstream.plans(count, "v1");
        rows.forEach(row -> {
            row.put("key", prefix + "_" + row.get("id").asInt());
            if (deleted) {
                row.put("status", "removed");
            }
        });
        return rows;
    }

    private String definition(String table, String path, String target) {
        return """
                {"mode": "full", "source": {"url": "%s", "records": "/epa_clients"},
                 "transform": {"mapping": {"epa_type": "/key", "ncpdp_version": "/version", "gateway_id": "/id"}},
                 "target": {"table": "%s", "key": ["epa_type"]%s}}""".formatted(upstream.url(path), table, target);
    }

    private static List<String> problems(Api.Answer answer) {
        List<String> problems = new ArrayList<>();
        answer.json().get("problems").forEach(problem -> problems.add(problem.asText()));
        return problems;
    }

    private Map<String, String> columns(String table) {
        Map<String, String> columns = new LinkedHashMap<>();
        jdbc.query("""
                select column_name, data_type from information_schema.columns
                 where table_schema = 'public' and table_name = ? order by ordinal_position""",
                rs -> {
                    columns.put(rs.getString(1), rs.getString(2));
                }, table);
        return columns;
    }
}
