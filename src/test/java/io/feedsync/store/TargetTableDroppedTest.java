package io.feedsync.store;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.feedsync.run.DefinedFeeds;
import io.feedsync.support.Api;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A target table dropped after this node described it is noticed by the feed's next run: with
 * {@code target.create} it is made again and gets every record (the feed's hashes were of the
 * dropped rows); without, the run fails PERMANENT naming the table, not with an SQL error.
 */
class TargetTableDroppedTest extends FeedsyncTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    DefinedFeeds defined;

    @BeforeEach
    @AfterEach
    void noDefinedFeedsNorTheirTables() {
        jdbc.update("delete from sync_feed_definition");
        defined.reconcile();
        jdbc.execute("drop table if exists public.dropped_created, public.dropped_plain");
        upstream.dataset("dropped", records(3));
    }

    @Test
    void aCreatedTableDroppedIsMadeAgainByTheNextRunWithEveryRow() {
        Api.Answer created = api.put("/api/feeds/dropped-created", definition("dropped_created", true));
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        assertThat(api.run("dropped-created").get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count("select count(*) from public.dropped_created")).isEqualTo(3);

        jdbc.execute("drop table public.dropped_created");
        JsonNode run = api.run("dropped-created");

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/counts/inserted").asInt()).as(run.toString()).isEqualTo(3);
        assertThat(jdbc.queryForList("select name from public.dropped_created order by id", String.class))
                .containsExactly("Payer_1", "Payer_2", "Payer_3");
    }

    @Test
    void aTableDroppedUnderAFeedThatDoesNotCreateItFailsTheNextRunNamingIt() {
        jdbc.execute("create table public.dropped_plain (id bigint primary key, name text, deleted_at timestamptz)");
        Api.Answer created = api.put("/api/feeds/dropped-plain", definition("dropped_plain", false));
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        assertThat(api.run("dropped-plain").get("status").asText()).isEqualTo("SUCCEEDED");

        jdbc.execute("drop table public.dropped_plain");
        JsonNode refused = api.run("dropped-plain");

        assertThat(refused.get("status").asText()).isEqualTo("FAILED");
        assertThat(refused.at("/error/class").asText()).isEqualTo("PERMANENT");
        assertThat(refused.at("/error/message").asText())
                .isEqualTo("feedsync.feeds.dropped-plain.target.table: table 'dropped_plain' does not exist");

        jdbc.execute("create table public.dropped_plain (id bigint primary key, name text, deleted_at timestamptz)");
        JsonNode again = api.run("dropped-plain");

        assertThat(again.get("status").asText()).as(again.toString()).isEqualTo("SUCCEEDED");
        assertThat(count("select count(*) from public.dropped_plain")).as("every record written again").isEqualTo(3);
    }

    private String definition(String table, boolean create) {
        return """
                {"mode": "full",
                 "source": {"url": "%s", "records": "/epa_clients"},
                 "transform": {"mapping": {"id": {"pointer": "/id", "type": "bigint"}, "name": "/key"}},
                 "target": {"table": "%s", "key": ["id"], "soft-delete": "deleted_at", "create": %s}}"""
                .formatted(upstream.url("/all/dropped"), table, create);
    }

    private static List<ObjectNode> records(int count) {
        List<ObjectNode> records = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            ObjectNode record = JSON.createObjectNode();
            record.put("id", id);
            record.put("key", "Payer_" + id);
            records.add(record);
        }
        return records;
    }
}
