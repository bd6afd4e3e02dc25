package io.feedsync.config;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import org.postgresql.PGConnection;

/**
 * The role feedsync connects to its embedded PostgreSQL as ({@link EmbeddedDatabaseCredentials#ROLE}):
 * it may log in and nothing more — no superuser, no role or database creation, no replication — and
 * owns feedsync's schema, may create tables in {@code public} (the demo's and {@code target.create}'s),
 * and owns the tables it creates. So a feed's SQL cannot run a program, read a server file or change
 * another role. Set up by the superuser at every start of the server (idempotent).
 */
final class EmbeddedDatabaseRole {

    private static final String ROLE = EmbeddedDatabaseCredentials.ROLE;

    /**
     * Hands over to feedsync's role what an earlier feedsync, connected as the superuser, created:
     * every schema, table, view, sequence (but those of a column, which follow their table), routine
     * and type outside the system schemas still owned by the superuser.
     */
    private static final String HAND_OVER = """
            do $$
            declare
              change record;
            begin
              for change in
                select format('alter schema %%I owner to %1$s', n.nspname) as statement
                  from pg_namespace n
                 where n.nspowner = '%2$s'::regrole and n.nspname <> 'public'
                   and n.nspname <> 'information_schema' and n.nspname !~ '^pg_'
                union all
                select format('alter %%s %%I.%%I owner to %1$s',
                              case c.relkind when 'v' then 'view' when 'm' then 'materialized view'
                                             when 'S' then 'sequence' when 'f' then 'foreign table' else 'table' end,
                              n.nspname, c.relname)
                  from pg_class c join pg_namespace n on n.oid = c.relnamespace
                 where c.relowner = '%2$s'::regrole and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
                   and n.nspname <> 'information_schema' and n.nspname !~ '^pg_'
                   and not exists (select from pg_depend d where c.relkind = 'S' and d.classid = 'pg_class'::regclass
                                      and d.objid = c.oid and d.deptype in ('a', 'i'))
                union all
                select format('alter routine %%s owner to %1$s', p.oid::regprocedure)
                  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                 where p.proowner = '%2$s'::regrole and p.prokind in ('f', 'p')
                   and n.nspname <> 'information_schema' and n.nspname !~ '^pg_'
                union all
                select format('alter type %%s owner to %1$s', t.oid::regtype)
                  from pg_type t join pg_namespace n on n.oid = t.typnamespace
                 where t.typowner = '%2$s'::regrole and t.typtype in ('e', 'd', 'r')
                   and n.nspname <> 'information_schema' and n.nspname !~ '^pg_'
              loop
                execute change.statement;
              end loop;
            end $$""".formatted(ROLE, EmbeddedDatabaseCredentials.SUPERUSER);

    private EmbeddedDatabaseRole() {
    }

    /** On a superuser's connection: the role with {@code password}, owner of {@code schema}. */
    static void provision(Connection superuser, String schema, String password) throws SQLException {
        try (Statement sql = superuser.createStatement()) {
            sql.execute("do $$ begin if not exists (select from pg_roles where rolname = '" + ROLE + "') then "
                    + "create role " + ROLE + "; end if; end $$");
            sql.execute("alter role " + ROLE + " with login nosuperuser nocreatedb nocreaterole noreplication nobypassrls");
            // the verifier is computed here: the password itself never reaches the server's log
            superuser.unwrap(PGConnection.class).alterUserPassword(ROLE, password.toCharArray(), "scram-sha-256");
            sql.execute("grant usage, create on schema public to " + ROLE);
            if (!"public".equals(schema)) {
                sql.execute("create schema if not exists " + identifier(schema) + " authorization " + ROLE);
                sql.execute("alter schema " + identifier(schema) + " owner to " + ROLE);
            }
            sql.execute(HAND_OVER);
        }
    }

    /** The superuser's own password, set when a folder of an earlier feedsync (which had none) is secured. */
    static void setSuperuserPassword(Connection superuser, String password) throws SQLException {
        superuser.unwrap(PGConnection.class).alterUserPassword(EmbeddedDatabaseCredentials.SUPERUSER,
                password.toCharArray(), "scram-sha-256");
    }

    private static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
