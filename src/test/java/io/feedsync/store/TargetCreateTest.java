package io.feedsync.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

import io.feedsync.config.FeedDefinition;
import io.feedsync.config.FeedValidator;
import io.feedsync.run.DefinedFeeds;
import io.feedsync.support.Api;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code target.create}: a feed defined over the API lands data in a table made from its typed
 * mapping, with no migration; a later version adds the columns it maps; a column whose type is not
 * the declared one is refused naming it, with nothing stored or changed. (TargetCreateStartupTest:
 * the same for a configured feed.)
 */
class TargetCreateTest extends FeedsyncTest {

    private static final String FEED = "created-plans";
    private static final String TABLE = "created_plans";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    DefinedFeeds defined;
    @Autowired
    TargetTableCreation creation;
    @Autowired
    Environment environment;

    @BeforeEach
    @AfterEach
    void noDefinedFeedsNorCreatedTables() {
        jdbc.update("delete from sync_feed_definition");
        defined.reconcile();
        jdbc.execute("drop table if exists public.created_plans");
        upstream.dataset("typed", records(3, false));
        upstream.dataset("typed-with-colour", records(3, true));
    }

    @Test
    void anApiFeedCreatesItsTableWithTheDeclaredTypesAndLandsRows() {
        assertThat(exists()).isFalse();

        Api.Answer created = api.put("/api/feeds/" + FEED, definition("/all/typed", ""));

        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        assertThat(columnTypes()).containsExactly(
                Map.entry("id", "bigint"), Map.entry("name", "text"), Map.entry("amount", "numeric"),
                Map.entry("active", "boolean"), Map.entry("day", "date"),
                Map.entry("seen_at", "timestamp with time zone"), Map.entry("uid", "uuid"),
                Map.entry("meta", "jsonb"), Map.entry("tag", "jsonb"), Map.entry("ratio", "double precision"),
                Map.entry("rank", "integer"), Map.entry("deleted_at", "timestamp with time zone"));
        assertThat(jdbc.queryForList("""
                select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
                 where i.indrelid = 'public.created_plans'::regclass and i.indisprimary""", String.class))
                .containsExactly("id");

        assertThat(api.run(FEED).get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count("select count(*) from public.created_plans")).isEqualTo(3);
        Map<String, Object> row = jdbc.queryForMap("""
                select name, amount::text as amount, active, day::text as day, seen_at = '2026-01-02T03:04:02Z' as seen,
                       uid::text as uid, meta->>'size' as size, tag #>> '{}' as tag, jsonb_typeof(tag) as tag_type,
                       ratio, rank, deleted_at
                  from public.created_plans where id = 2""");
        assertThat(row).containsEntry("name", "Payer_2").containsEntry("amount", "12.345678901234567892")
                .containsEntry("active", false).containsEntry("day", "2026-01-02").containsEntry("seen", true)
                .containsEntry("uid", "00000000-0000-0000-0000-000000000002").containsEntry("size", "2")
                .containsEntry("tag", "gold").containsEntry("tag_type", "string").containsEntry("ratio", 0.5)
                .containsEntry("rank", 2).containsEntry("deleted_at", null);
    }

    @Test
    void aLaterVersionMappingAnotherColumnAddsItAndTheNextRunFillsIt() {
        api.put("/api/feeds/" + FEED, definition("/all/typed", ""));
        api.run(FEED);

        Api.Answer changed = api.put("/api/feeds/" + FEED, definition("/all/typed-with-colour",
                ", \"colour\": \"/colour\""));

        assertThat(changed.status()).as(changed.raw().body()).isEqualTo(200);
        assertThat(columnTypes()).containsEntry("colour", "text").hasSize(13);
        assertThat(api.run(FEED).get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(jdbc.queryForList("select colour from public.created_plans order by id", String.class))
                .containsExactly("blue-1", "blue-2", "blue-3");
    }

    @Test
    void aTypeConflictIsRefusedNamingTheColumnAndNothingIsStoredOrChanged() {
        api.put("/api/feeds/" + FEED, definition("/all/typed", ""));

        Api.Answer refused = api.put("/api/feeds/" + FEED, definition("/all/typed", ", \"colour\": \"/colour\"")
                .replace("\"type\": \"numeric\"", "\"type\": \"integer\"")
                .replace("\"/uid\", \"type\": \"uuid\"", "\"/uid\""));

        assertThat(refused.status()).as(refused.raw().body()).isEqualTo(400);
        assertThat(refused.json().get("problems")).extracting(JsonNode::asText).containsExactlyInAnyOrder(
                "feedsync.feeds.created-plans.transform.mapping.amount: column 'amount' of table 'public.created_plans'"
                        + " is numeric, not integer as declared; feedsync never retypes a column",
                "feedsync.feeds.created-plans.transform.mapping.uid: column 'uid' of table 'public.created_plans'"
                        + " is uuid, not text as declared; feedsync never retypes a column");
        assertThat(api.get("/api/feeds/" + FEED + "/definition").json().get("version").asInt()).isEqualTo(1);
        assertThat(count("select count(*) from sync_feed_definition where feed = ?", FEED)).isEqualTo(1);
        assertThat(columnTypes()).containsEntry("amount", "numeric").doesNotContainKey("colour");
    }

    @Test
    void anUnknownTypeOrKeyOrATableThatCannotBeMadeIsRefusedWithItsMessage() {
        assertThat(problems(definition("/all/typed", "").replace("\"type\": \"numeric\"", "\"type\": \"money\"")))
                .containsExactly("feedsync.feeds.created-plans.transform.mapping.amount.type: unknown type 'money'"
                        + " (expected one of text, integer, bigint, numeric, double, boolean, date, timestamptz, jsonb, uuid)");
        assertThat(problems(definition("/all/typed", "").replace("\"type\": \"numeric\"", "\"typ\": \"numeric\"")))
                .containsExactly("feedsync.feeds.created-plans.transform.mapping.amount.typ: unknown key; did you mean 'type'?");
        assertThat(problems("""
                {"source": {"url": "%s", "records": "/epa_clients"}, "transform": {"bean": "epaClientMapper"},
                 "target": {"table": "created_plans", "key": ["epa_type"], "create": true}}""".formatted(upstream.url("/all/typed"))))
                .containsExactly("feedsync.feeds.created-plans.target.create: needs transform.mapping, not"
                        + " transform.bean: the table is made from the mapped columns and their types");
        assertThat(problems(definition("/all/typed", "").replace("\"key\": [\"id\"]", "\"key\": [\"code\"]")))
                .containsExactly("feedsync.feeds.created-plans.target.key: key column 'code' is not mapped;"
                        + " target.create makes the table from transform.mapping");
        assertThat(problems(definition("/all/typed", "").replace("created_plans", "no_such_schema.created_plans")))
                .containsExactly("feedsync.feeds.created-plans.target.table: schema 'no_such_schema' does not exist;"
                        + " target.create makes tables, not schemas");
        assertThat(problems(definition("/all/typed", "").replace("created_plans", "feedsync.created_plans")))
                .singleElement().asString().startsWith("feedsync.feeds.created-plans.target.table: table"
                        + " 'feedsync.created_plans' is one of feedsync's own (schema feedsync)");
        assertThat(exists()).isFalse();
        assertThat(count("select count(*) from sync_feed_definition")).isZero();
    }

    @Test
    void namesThatWouldBeSqlAreRefusedBeforeAnyTableIsMade() {
        assertThat(problems(definition("/all/typed", ", \"x\\\"; drop table sync_run; --\": \"/x\"")))
                .as("the column as written, whatever Spring's binder would make of it").contains("feedsync.feeds.created-plans.transform.mapping.x\"; drop table sync_run; --: "
                        + "'x\"; drop table sync_run; --' is not a plain lower-case SQL identifier");
        assertThat(problems(definition("/all/typed", "").replace("\"created_plans\"",
                "\"created_plans (id int); drop table sync_run; --\""))).containsExactly(
                "feedsync.feeds.created-plans.target.table: 'created_plans (id int); drop table sync_run; --' is not a"
                        + " plain lower-case SQL identifier");
        assertThat(problems(definition("/all/typed", "").replace("\"deleted_at\"", "\"deleted_at timestamptz, x\"")))
                .containsExactly("feedsync.feeds.created-plans.target.soft-delete: 'deleted_at timestamptz, x' is not"
                        + " a plain lower-case SQL identifier");
        assertThat(exists()).isFalse();
        assertThat(count("select count(*) from sync_run")).isZero();
        assertThat(count("select count(*) from sync_feed_definition")).isZero();
    }

    @Test
    void ddlThatPostgresqlRefusesIsA400NamingTheTable() {
        // CREATE TABLE makes a type of the table's name too: one of that name is there already
        // (a view or another table feedsync did not create is never altered: TableOwnershipSecurityTest)
        jdbc.execute("create type public.created_plans as enum ('x')");
        try {
            assertThat(problems(definition("/all/typed", ""))).singleElement().asString()
                    .startsWith("feedsync.feeds.created-plans.target.table: could not create or change table"
                            + " 'public.created_plans': ERROR: ")
                    .contains("created_plans");
            assertThat(count("select count(*) from sync_feed_definition")).isZero();
        } finally {
            jdbc.execute("drop type public.created_plans");
        }
    }

    @Test
    void twoNodesCreatingTheSameTableAtOnceBothSucceed() throws Exception {
        FeedDefinition feed = FeedValidator.define(FEED, JSON.readTree(definition("/all/typed", "")), environment);
        CyclicBarrier together = new CyclicBarrier(4);
        ExecutorService nodes = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                done.add(nodes.submit(() -> {
                    together.await();
                    creation.ensure(feed);
                    return null;
                }));
            }
            for (Future<?> each : done) {
                each.get(30, TimeUnit.SECONDS);
            }
        } finally {
            nodes.shutdownNow();
        }
        assertThat(columnTypes()).hasSize(12).containsEntry("id", "bigint");
    }

    private List<String> problems(String definition) {
        Api.Answer refused = api.put("/api/feeds/" + FEED, definition);
        assertThat(refused.status()).as(refused.raw().body()).isEqualTo(400);
        List<String> problems = new ArrayList<>();
        refused.json().get("problems").forEach(problem -> problems.add(problem.asText()));
        return problems;
    }

    private boolean exists() {
        return jdbc.queryForObject("select to_regclass('public.created_plans') is not null", Boolean.class);
    }

    private Map<String, String> columnTypes() {
        Map<String, String> types = new java.util.LinkedHashMap<>();
        jdbc.query("""
                select column_name, data_type from information_schema.columns
                 where table_schema = 'public' and table_name = ? order by ordinal_position""",
                rs -> {
                    types.put(rs.getString(1), rs.getString(2));
                }, TABLE);
        return types;
    }

    private String definition(String path, String moreColumns) {
        return """
                {"mode": "full",
                 "source": {"url": "%s", "records": "/epa_clients"},
                 "transform": {"mapping": {
                   "id": {"pointer": "/id", "type": "bigint"}, "name": "/key",
                   "amount": {"pointer": "/amount", "type": "numeric"}, "active": {"pointer": "/active", "type": "boolean"},
                   "day": {"pointer": "/day", "type": "date"}, "seen_at": {"pointer": "/seen_at", "type": "timestamptz"},
                   "uid": {"pointer": "/uid", "type": "uuid"}, "meta": {"pointer": "/meta", "type": "jsonb"},
                   "tag": {"pointer": "/tag", "type": "jsonb"}, "ratio": {"pointer": "/ratio", "type": "double"},
                   "rank": {"pointer": "/rank", "type": "integer"}%s}},
                 "target": {"table": "created_plans", "key": ["id"], "soft-delete": "deleted_at", "create": true}}"""
                .formatted(upstream.url(path), moreColumns);
    }

    private static List<ObjectNode> records(int count, boolean colour) {
        List<ObjectNode> records = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            ObjectNode record = JSON.createObjectNode();
            record.put("id", id);
            record.put("key", "Payer_" + id);
            record.put("amount", new java.math.BigDecimal("12.34567890123456789" + id));
            record.put("active", id % 2 == 1);
            record.put("day", "2026-01-0" + id);
            record.put("seen_at", "2026-01-02T03:04:0" + id + "Z");
            record.put("uid", "00000000-0000-0000-0000-00000000000" + id);
            record.putObject("meta").put("size", id);
            record.put("tag", "gold");
            record.put("ratio", id / 4.0);
            record.put("rank", id);
            if (colour) {
                record.put("colour", "blue-" + id);
            }
            records.add(record);
        }
        return records;
    }
}
