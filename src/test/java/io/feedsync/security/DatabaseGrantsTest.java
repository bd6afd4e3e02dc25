package io.feedsync.security;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import io.feedsync.FeedsyncApplication;
import io.feedsync.cli.CommandLineRun;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * feedsync on a server of the user's, connected as a role with exactly the GRANTs that
 * docs/operations.md ("Database") gives — its own schema, and select / insert / update on a target
 * table that stays the user's — migrates its schema and runs a full sync with soft-deletes; and that
 * role cannot run a program.
 */
class DatabaseGrantsTest {

    private static final String ROLE = "feedsync_granted";
    private static final String PASSWORD = "feedsync-granted-password-0123";

    @Test
    void theDocumentedGrantsAreEnoughForAFullSyncAndNoMore() throws Exception {
        String url = TestDatabase.fresh("feedsync_granted");
        try (Connection admin = DriverManager.getConnection(url, TestDatabase.username(), TestDatabase.password());
             Statement sql = admin.createStatement()) {
            sql.execute("do $$ begin if not exists (select from pg_roles where rolname = '" + ROLE + "') then "
                    + "create role " + ROLE + " login password '" + PASSWORD + "'; end if; end $$");
            sql.execute("create schema feedsync authorization " + ROLE);
            sql.execute("create schema sales");
            sql.execute("""
                    create table sales.members (epa_type text primary key, ncpdp_version text not null,
                                                gateway_id integer, deleted_at timestamptz)""");
            sql.execute("grant usage on schema sales to " + ROLE);
            sql.execute("grant select, insert, update on sales.members to " + ROLE);
        }
        String asRole = url.replaceAll("([?&])user=[^&]*&?", "$1").replaceAll("[?&]$", "");
        try (FakeUpstream upstream = FakeUpstream.start()) {
            upstream.dataset("members", FakeUpstream.plans(5, "v1"));
            assertThat(fullRun(asRole, upstream)).contains("SUCCEEDED").contains("fetched=5 inserted=5");

            upstream.dataset("members").set(0, FakeUpstream.plan(1, "v2"));
            upstream.dataset("members").remove(4);
            assertThat(fullRun(asRole, upstream)).contains("SUCCEEDED").contains("updated=1").contains("deleted=1");
        }
        JdbcTemplate role = new JdbcTemplate(new DriverManagerDataSource(asRole, ROLE, PASSWORD));
        assertThat(role.queryForObject("select count(*) from sales.members where deleted_at is not null", Integer.class))
                .isEqualTo(1);
        assertThat(role.queryForObject("select ncpdp_version from sales.members where epa_type = 'Payer_1'", String.class))
                .isEqualTo("v2");
        assertThatThrownBy(() -> role.execute("copy (select 1) to program 'id'"))
                .rootCause().hasMessageContaining("permission denied");
        assertThatThrownBy(() -> role.execute("create table public.not_granted (id int)"))
                .rootCause().hasMessageContaining("permission denied");
    }

    /** {@code run members --full} as the role: the result line. */
    private static String fullRun(String url, FakeUpstream upstream) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = CommandLineRun.run(FeedsyncApplication.class, new String[] {"run", "members", "--full",
                "--spring.profiles.active=granted",
                "--spring.datasource.url=" + url,
                "--spring.datasource.username=" + ROLE,
                "--spring.datasource.password=" + PASSWORD,
                "--feedsync.feeds.members.source.url=" + upstream.url("/link/members?per_page=2"),
                "--feedsync.feeds.members.source.pagination.type=link-header",
                "--feedsync.feeds.members.source.records=/epa_clients",
                "--feedsync.feeds.members.transform.mapping.epa_type=/key",
                "--feedsync.feeds.members.transform.mapping.ncpdp_version=/version",
                "--feedsync.feeds.members.transform.mapping.gateway_id=/id",
                "--feedsync.feeds.members.target.table=sales.members",
                "--feedsync.feeds.members.target.key=epa_type",
                "--feedsync.feeds.members.target.soft-delete=deleted_at"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).as(out + " " + err).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }
}
