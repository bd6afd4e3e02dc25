package io.feedsync.store;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import io.feedsync.FeedsyncApplication;
import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.TestDatabase;

import static io.feedsync.support.FakeUpstream.plans;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * feedsync pointed at the database an application already uses: its own tables go into schema
 * {@code feedsync}, the user's tables in {@code public} (target table included) stay as they are
 * but for the rows feedsync writes, and a restart carries on where the last run ended.
 */
class ExistingDatabaseTest {

    private static final FakeUpstream upstream = FakeUpstream.start();
    private final List<ConfigurableApplicationContext> apps = new ArrayList<>();
    private String url;
    private JdbcTemplate db;

    @BeforeEach
    void usersDatabase() throws SQLException {
        url = TestDatabase.fresh("feedsync_existing");
        db = new JdbcTemplate(new DriverManagerDataSource(url, TestDatabase.username(), TestDatabase.password()));
        db.execute("""
                create table partner_plans (
                    epa_type      text primary key,
                    ncpdp_version text not null,
                    gateway_id    integer,
                    note          text default 'kept by the application',
                    deleted_at    timestamptz)""");
        db.execute("insert into partner_plans (epa_type, ncpdp_version, note) values ('Payer_1', 'v0', 'the user''s note')");
        db.execute("create table invoices (id serial primary key, amount numeric not null)");
        db.execute("insert into invoices (amount) values (10), (20)");
        // the application's own Flyway history, which feedsync must not take for its own
        db.execute("create table flyway_schema_history (installed_rank int primary key, version text, script text)");
        db.execute("insert into flyway_schema_history values (1, '1', 'V1__invoices.sql')");
        upstream.reset();
    }

    @AfterEach
    void stopApps() {
        apps.forEach(ConfigurableApplicationContext::close);
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @Test
    void syncsIntoADatabaseThatHoldsTheUsersTablesAndCarriesOnAfterARestart() {
        upstream.dataset("partners", plans(6, "v1"));
        Api api = start();

        JsonNode first = api.run("partners", "{\"mode\":\"full\"}");

        assertThat(first.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(first.at("/counts/inserted").asInt()).isEqualTo(5);
        assertThat(first.at("/counts/updated").asInt()).isEqualTo(1);
        assertThat(db.queryForObject("select count(*) from public.partner_plans where deleted_at is null", Integer.class))
                .isEqualTo(6);
        assertThat(db.queryForObject("select note from public.partner_plans where epa_type = 'Payer_1'", String.class))
                .as("a column feedsync does not map is the user's").isEqualTo("the user's note");
        assertUsersTablesUntouched();
        assertThat(relations("feedsync")).contains("sync_run", "sync_watermark", "sync_record_hash",
                "sync_dead_letter", "qrtz_triggers", "flyway_schema_history");
        assertThat(relations("public")).containsExactlyInAnyOrder("partner_plans", "invoices", "flyway_schema_history");

        stopApps();
        apps.clear();
        upstream.dataset("partners").set(2, FakeUpstream.plan(3, "v2"));
        upstream.dataset("partners").remove(5);
        api = start();
        JsonNode second = api.run("partners", "{\"mode\":\"full\"}");

        assertThat(second.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(second.get("runId").asLong()).isGreaterThan(first.get("runId").asLong());
        assertThat(second.at("/counts/updated").asInt()).isEqualTo(1);
        assertThat(second.at("/counts/unchanged").asInt()).as("hashes kept across the restart").isEqualTo(4);
        assertThat(second.at("/counts/deleted").asInt()).isEqualTo(1);
        assertThat(db.queryForObject("select ncpdp_version from public.partner_plans where epa_type = 'Payer_3'",
                String.class)).isEqualTo("v2");
        assertThat(db.queryForObject("select count(*) from public.partner_plans where deleted_at is not null",
                Integer.class)).isEqualTo(1);
        assertUsersTablesUntouched();
        assertThat(relations("public")).containsExactlyInAnyOrder("partner_plans", "invoices", "flyway_schema_history");
    }

    @Test
    void aDatabaseLaidOutByAnEarlierVersionIsMovedIntoTheSchemaWithItsRuns() {
        db.execute("drop table flyway_schema_history");
        // the layout before feedsync had a schema of its own: its migrations applied to public
        Flyway.configure().dataSource(url, TestDatabase.username(), TestDatabase.password())
                .locations("classpath:db/migration").schemas("public").baselineOnMigrate(true).baselineVersion("0").target("7")
                .load().migrate();
        db.update("insert into sync_run (feed, trigger, mode, status, started_at, finished_at, fetched, pages, node)"
                + " values ('partners', 'rest', 'full', 'SUCCEEDED', now(), now(), 0, 1, 'old')");
        long oldRun = db.queryForObject("select max(id) from public.sync_run", Long.class);
        upstream.dataset("partners", plans(3, "v1"));

        Api api = start();

        assertThat(relations("public")).containsExactlyInAnyOrder("partner_plans", "invoices");
        assertThat(api.get("/api/runs/" + oldRun).status()).as("the old run moved along").isEqualTo(200);
        JsonNode run = api.run("partners", "{\"mode\":\"full\"}");
        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("runId").asLong()).isGreaterThan(oldRun);
        assertThat(db.queryForObject("select count(*) from feedsync.flyway_schema_history where script like 'V%'",
                Integer.class)).as("no migration ran twice").isEqualTo(
                db.queryForObject("select count(distinct script) from feedsync.flyway_schema_history where script like 'V%'",
                        Integer.class));
    }

    @Test
    void aFeedWhoseTableIsMissingFailsItsRunsUntilTheTableIsCreated() {
        db.execute("drop table partner_plans");
        upstream.dataset("partners", plans(2, "v1"));
        Api api = start();

        JsonNode refused = api.run("partners", "{\"mode\":\"full\"}");

        assertThat(refused.get("status").asText()).isEqualTo("FAILED");
        assertThat(refused.at("/error/class").asText()).isEqualTo("PERMANENT");
        assertThat(refused.at("/error/message").asText())
                .isEqualTo("feedsync.feeds.partners.target.table: table 'partner_plans' does not exist");
        Api.Answer health = api.get("/actuator/health");
        assertThat(health.json().at("/components/feeds/components/partners/status").asText()).isEqualTo("DOWN");
        assertThat(health.json().at("/components/feeds/components/partners/details/targetTable").asText())
                .contains("table 'partner_plans' does not exist");
        assertThat(upstream.requests()).as("nothing fetched for a run that cannot land").isEmpty();

        db.execute("create table partner_plans (epa_type text primary key, ncpdp_version text, gateway_id integer,"
                + " deleted_at timestamptz)");
        JsonNode landed = api.run("partners", "{\"mode\":\"full\"}");

        assertThat(landed.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(db.queryForObject("select count(*) from partner_plans", Integer.class)).isEqualTo(2);
        assertThat(api.get("/actuator/health").json().at("/components/feeds/components/partners/status").asText())
                .isEqualTo("UP");
    }

    private Api start() {
        ConfigurableApplicationContext app = new SpringApplicationBuilder(FeedsyncApplication.class)
                .profiles("existing-database")
                .run("--spring.datasource.url=" + url,
                        "--spring.datasource.username=" + TestDatabase.username(),
                        "--spring.datasource.password=" + TestDatabase.password(),
                        "--server.port=0",
                        "--spring.quartz.scheduler-name=feedsync-existing-" + System.nanoTime(),
                        "--feedsync.security.api-keys.test-operator.key=" + Api.OPERATOR_KEY,
                        "--feedsync.security.api-keys.test-operator.role=operator",
                        "--feedsync.feeds.partners.source.url=" + upstream.url("/link/partners?per_page=4"),
                        "--feedsync.feeds.partners.source.pagination.type=link-header",
                        "--feedsync.feeds.partners.source.records=/epa_clients",
                        "--feedsync.feeds.partners.transform.mapping.epa_type=/key",
                        "--feedsync.feeds.partners.transform.mapping.ncpdp_version=/version",
                        "--feedsync.feeds.partners.transform.mapping.gateway_id=/id",
                        "--feedsync.feeds.partners.target.table=partner_plans",
                        "--feedsync.feeds.partners.target.key=epa_type",
                        "--feedsync.feeds.partners.target.soft-delete=deleted_at");
        apps.add(app);
        return new Api(Integer.parseInt(app.getEnvironment().getProperty("local.server.port")))
                .as(Api.bearer(Api.OPERATOR_KEY));
    }

    private void assertUsersTablesUntouched() {
        assertThat(db.queryForList("select amount::text from invoices order by id", String.class)).containsExactly("10", "20");
        assertThat(db.queryForList("select script from public.flyway_schema_history", String.class))
                .containsExactly("V1__invoices.sql");
    }

    private List<String> relations(String schema) {
        return db.queryForList("select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                + " where n.nspname = ? and c.relkind in ('r', 'p', 'u')", String.class, schema)
                .stream().map(Object::toString).toList();
    }
}
