package io.feedsync.store;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import io.feedsync.config.ColumnType;
import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedConfigException;
import io.feedsync.support.StartupCheck;
import io.feedsync.support.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code target.create} for a feed of the configuration: its table is made at startup from the typed
 * mapping as written in properties, and a column of another type stops startup naming it.
 */
@ExtendWith(OutputCaptureExtension.class)
class TargetCreateStartupTest {

    private JdbcTemplate jdbc;

    @BeforeEach
    @AfterEach
    void noCreatedTable() {
        jdbc = new JdbcTemplate(new DriverManagerDataSource(TestDatabase.url(), TestDatabase.username(),
                TestDatabase.password()));
        jdbc.execute("drop table if exists public.created_partners");
    }

    @Test
    void aConfiguredFeedCreatesItsTableAtStartupAndAConflictingTypeStopsTheNext(CapturedOutput output) {
        try (ConfigurableApplicationContext context = start(feed())) {
            assertThat(context.getBean(FeedCatalog.class).get("partners").transform().type("id"))
                    .isEqualTo(ColumnType.INTEGER);
        }
        assertThat(jdbc.queryForList("""
                select column_name || ' ' || data_type from information_schema.columns
                 where table_schema = 'public' and table_name = 'created_partners' order by ordinal_position""",
                String.class)).as("command-line properties have no order").containsExactlyInAnyOrder("id integer", "name text", "joined date");

        Map<String, Object> conflicting = feed();
        conflicting.put("feedsync.feeds.partners.transform.mapping.joined.type", "timestamptz");
        conflicting.put("feedsync.feeds.partners.transform.mapping.region", "/region");
        String message = "feedsync.feeds.partners.transform.mapping.joined: column 'joined' of table"
                + " 'public.created_partners' is date, not timestamptz as declared; feedsync never retypes a column";
        assertThatThrownBy(() -> start(conflicting).close())
                .hasRootCauseInstanceOf(FeedConfigException.class)
                .rootCause().hasMessage(message);
        assertThat(output.getOut() + output.getErr()).contains("Invalid feed configuration: " + message);
        assertThat(jdbc.queryForObject("""
                select count(*) from information_schema.columns
                 where table_schema = 'public' and table_name = 'created_partners' and column_name = 'region'""",
                Integer.class)).as("nothing changed").isZero();
    }

    @Test
    void aMisspeltKeyOfATypedColumnStopsStartup(CapturedOutput output) {
        Map<String, Object> feed = feed();
        feed.put("feedsync.feeds.partners.transform.mapping.joined.typ", "date");

        assertThatThrownBy(() -> start(feed).close()).rootCause().hasMessage(
                "feedsync.feeds.partners.transform.mapping.joined.typ: unknown key; did you mean 'type'?");
        assertThat(jdbc.queryForObject("select to_regclass('public.created_partners') is null", Boolean.class)).isTrue();
    }

    private static ConfigurableApplicationContext start(Map<String, Object> properties) {
        return StartupCheck.start(properties);
    }

    private static Map<String, Object> feed() {
        Map<String, Object> feed = new LinkedHashMap<>();
        feed.put("feedsync.feeds.partners.source.url", "http://127.0.0.1:1/export");
        feed.put("feedsync.feeds.partners.source.records", "/partners");
        feed.put("feedsync.feeds.partners.transform.mapping.id.pointer", "/id");
        feed.put("feedsync.feeds.partners.transform.mapping.id.type", "integer");
        feed.put("feedsync.feeds.partners.transform.mapping.name", "/name");
        feed.put("feedsync.feeds.partners.transform.mapping.joined.pointer", "/joined");
        feed.put("feedsync.feeds.partners.transform.mapping.joined.type", "date");
        feed.put("feedsync.feeds.partners.target.table", "created_partners");
        feed.put("feedsync.feeds.partners.target.key", "id");
        feed.put("feedsync.feeds.partners.target.create", "true");
        return feed;
    }
}
