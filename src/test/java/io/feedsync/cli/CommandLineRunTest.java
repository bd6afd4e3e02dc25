package io.feedsync.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.feedsync.FeedsyncApplication;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FamilyUpstream;
import io.feedsync.support.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code feedsync run <feed>} exits 0, 1 or 2 so that an external scheduler knows what to do next. */
class CommandLineRunTest {

    private static final FakeUpstream upstream = FakeUpstream.start();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @BeforeEach
    void cleanSlate() throws Exception {
        upstream.reset();
        try (Connection db = connect(); Statement sql = db.createStatement()) {
            sql.execute("select 1");
            sql.execute("do $$ begin if to_regclass('test_plans') is not null then "
                    + "truncate test_plans, epa_certificates, epa_auth_configs, epa_plans, epa_partners, sync_record_hash, sync_dead_letter, sync_watermark, sync_run; end if; if to_regclass('test_clients') is not null then truncate test_clients, test_appointments; end if; end $$");
        }
    }

    @Test
    void succeededRunExitsZeroAndPrintsItsSummary() throws Exception {
        upstream.dataset("plans", FakeUpstream.plans(6, "v1"));

        int exit = run("run", "plans", "--full");

        assertThat(exit).isZero();
        assertThat(out()).contains("feed plans run").contains("SUCCEEDED").contains("fetched=6 inserted=6");
        try (Connection db = connect(); Statement sql = db.createStatement();
             var rows = sql.executeQuery("select count(*), min(trigger), min(mode) from test_plans, sync_run")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(6);
            assertThat(rows.getString(2)).isEqualTo("cli");
            assertThat(rows.getString(3)).isEqualTo("full");
        }
    }

    @Test
    void aChildFeedsRunPrintsHowItsParentsWent() throws Exception {
        FamilyUpstream family = new FamilyUpstream();
        upstream.serve("/family", family);
        for (int id = 1; id <= 3; id++) {
            family.client(id, "Client " + id);
            family.appointments(id, 2);
        }
        family.missing.add(2);
        assertThat(run("run", "clients")).isZero();
        out.reset();

        int exit = run("run", "appointments", "--full");

        assertThat(exit).as(out()).isZero();
        assertThat(out()).contains("feed appointments run").contains("SUCCEEDED").contains("fetched=4 inserted=4")
                .contains("parents=3 parentsFetched=2 parentsNotFound=1 parentsFailed=0");
    }

    /** The command line serves no API: neither the REST routes (routes/api-rest.yaml) nor theirs (routes/api-routes.yaml) start. */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void theCommandLineStartsNoApiRoute(CapturedOutput output) {
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));

        assertThat(run("run", "plans", "--full", "--verbose")).isZero();
        assertThat(output.getOut()).contains("(direct://run-now)").doesNotContain("rest://").doesNotContain("listFeeds");
    }

    @Test
    void aFeedDefinedOverTheApiRunsFromTheCommandLine() throws Exception {
        upstream.dataset("plans", FakeUpstream.plans(4, "v1"));
        migrated();
        try (Connection db = connect(); Statement sql = db.createStatement()) {
            sql.execute("delete from sync_feed_definition where feed = 'cli-defined'");
            // as PUT /api/feeds/cli-defined stores it (a node that is not running now)
            sql.execute("""
                    insert into sync_feed_definition (feed, version, definition, changed_by, deleted) values ('cli-defined', 1,
                    '{"mode": "full", "source": {"url": "%s", "records": "/epa_clients"},
                      "transform": {"mapping": {"epa_type": "/key", "ncpdp_version": "/version", "gateway_id": "/id"}},
                      "target": {"table": "test_plans", "key": ["epa_type"], "shared": true}}', 'test-operator', false)"""
                    .formatted(upstream.url("/all/plans")));
        }
        try {
            // as outside tests: the definitions are followed by a listener of their own, yet loaded before the run
            int exit = run("run", "cli-defined", "--feedsync.definitions.listen=true");

            assertThat(exit).as(err()).isZero();
            assertThat(out()).contains("feed cli-defined run").contains("SUCCEEDED").contains("fetched=4 inserted=4");
        } finally {
            try (Connection db = connect(); Statement sql = db.createStatement()) {
                // the other applications of this JVM would load it at their start
                sql.execute("delete from sync_feed_definition where feed = 'cli-defined'");
            }
        }
    }

    @Test
    void permanentFailureExitsOne() {
        upstream.failAlways(request -> true, 404);

        assertThat(run("run", "plans")).isEqualTo(CommandLineRun.PERMANENT);
        assertThat(out()).contains("FAILED").contains("PERMANENT").contains("HTTP 404");
    }

    @Test
    void transientFailureExitsTwo() {
        upstream.failAlways(request -> true, 503);

        assertThat(run("run", "plans")).isEqualTo(CommandLineRun.TRANSIENT);
        assertThat(out()).contains("TRANSIENT").contains("HTTP 503");
    }

    @Test
    void aRunResumesWhereTheUnfinishedOneStoppedAndRestartStartsOver() {
        upstream.dataset("plans", FakeUpstream.plans(12, "v1"));
        upstream.fail(request -> request.page() == 2, 503, 3);
        assertThat(run("run", "plans", "--full")).isEqualTo(CommandLineRun.TRANSIENT);
        out.reset();

        assertThat(run("run", "plans", "--full")).isZero();
        assertThat(out()).as("pages 2 and 3: page 1 was committed").contains("(resumed run ")
                .contains("pages=2 fetched=8");
        out.reset();

        upstream.fail(request -> request.page() == 3, 503, 3);
        assertThat(run("run", "plans", "--full")).isEqualTo(CommandLineRun.TRANSIENT);
        out.reset();
        assertThat(run("run", "plans", "--full", "--restart")).isZero();
        assertThat(out()).doesNotContain("resumed").contains("pages=3 fetched=12 inserted=0 updated=0 unchanged=12");
    }

    @Test
    void feedRunningElsewhereExitsTwo() throws Exception {
        upstream.dataset("plans", FakeUpstream.plans(1, "v1"));
        try (Connection other = connect(); Statement sql = other.createStatement()) {
            sql.execute("select pg_advisory_lock(1717859193, hashtext('plans'))");

            assertThat(run("run", "plans")).isEqualTo(CommandLineRun.TRANSIENT);
        }
        assertThat(err()).contains("already running");
    }

    @Test
    void unknownFeedAndBadUsageExitOne() {
        assertThat(run("run", "no-such-feed")).isEqualTo(CommandLineRun.PERMANENT);
        assertThat(err()).contains("no feed named 'no-such-feed'");
        assertThat(run("run")).isEqualTo(CommandLineRun.PERMANENT);
        assertThat(err()).contains("usage:");
    }

    @Test
    void dryRunWritesNothing() throws Exception {
        upstream.dataset("plans", FakeUpstream.plans(4, "v1"));

        assertThat(run("run", "plans", "--dry-run")).isZero();

        assertThat(out()).contains("(dry run)").contains("inserted=4");
        try (Connection db = connect(); Statement sql = db.createStatement();
             var rows = sql.executeQuery("select count(*) from test_plans")) {
            rows.next();
            assertThat(rows.getInt(1)).isZero();
        }
    }

    @Test
    void sinceAndUntilRunTheCursorRangeAndABadCursorExitsOne() throws Exception {
        java.time.Instant t0 = java.time.Instant.parse("2026-05-18T01:00:00Z");
        List<com.fasterxml.jackson.databind.node.ObjectNode> records = new ArrayList<>();
        for (int id = 1; id <= 6; id++) {
            records.add(FakeUpstream.plan(id, "v1", t0.plusSeconds(60L * id)));
        }
        upstream.dataset("plans", records);

        assertThat(run("run", "plans-incremental", "--since", t0.plusSeconds(180).toString(),
                "--until=" + t0.plusSeconds(240), "--dry-run")).isZero();

        assertThat(out()).contains("(dry run)").contains("since=" + t0.plusSeconds(180))
                .contains("until=" + t0.plusSeconds(240)).contains("fetched=4 inserted=2 updated=0 unchanged=2");
        assertThat(upstream.requests()).allSatisfy(request -> assertThat(request.query().get("since"))
                .isEqualTo(t0.plusSeconds(180).toString()));
        try (Connection db = connect(); Statement sql = db.createStatement();
             var rows = sql.executeQuery("select trigger, mode, range_since, range_until, triggered_by from sync_run")) {
            rows.next();
            assertThat(rows.getString(1)).isEqualTo("cli");
            assertThat(rows.getString(2)).isEqualTo("incremental");
            assertThat(rows.getString(3)).isEqualTo(t0.plusSeconds(180).toString());
            assertThat(rows.getString(4)).isEqualTo(t0.plusSeconds(240).toString());
            assertThat(rows.getString(5)).isEqualTo("cli");
        }

        assertThat(run("run", "plans-incremental", "--since=last-tuesday")).isEqualTo(CommandLineRun.PERMANENT);
        assertThat(err()).contains("--since: 'last-tuesday' is not a cursor of this feed").contains("ISO-8601 timestamp");
        assertThat(run("run", "plans", "--since=" + t0)).isEqualTo(CommandLineRun.PERMANENT);
        assertThat(err()).contains("has no source.incremental");
    }

    private int run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--spring.profiles.active=test");
        all.add("--spring.datasource.url=" + TestDatabase.url());
        all.add("--spring.datasource.username=" + TestDatabase.username());
        all.add("--spring.datasource.password=" + TestDatabase.password());
        all.add("--spring.flyway.locations=classpath:db/migration,classpath:db/testtables,classpath:db/demo");
        all.add("--test.upstream=" + upstream.url(""));
        all.add("--spring.main.banner-mode=off");
        return CommandLineRun.run(FeedsyncApplication.class, all.toArray(String[]::new),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** The database has feedsync's tables: a run of a configured feed made them if this test's is the first. */
    private void migrated() throws Exception {
        try (Connection db = connect(); Statement sql = db.createStatement();
             var table = sql.executeQuery("select to_regclass('sync_feed_definition') is not null")) {
            table.next();
            if (!table.getBoolean(1)) {
                assertThat(run("run", "plans", "--dry-run")).as(err()).isZero();
                out.reset();
                err.reset();
            }
        }
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static Connection connect() throws Exception {
        return TestDatabase.connect();
    }
}
