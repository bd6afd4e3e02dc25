package io.feedsync.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A new database on the test server as docs/operations.md tells an operator to give feedsync one: a
 * login role that is no superuser, owning the database (so its schema {@code public} and the schema
 * feedsync creates for itself). For tests that start feedsync as it should run.
 */
public final class LeastPrivilegeDatabase {

    public static final String ROLE = "feedsync_app";
    public static final String PASSWORD = "feedsync-app-password-0123";

    private LeastPrivilegeDatabase() {
    }

    /** {@link TestDatabase#fresh} owned by {@link #ROLE}: its JDBC URL, naming no user. */
    public static String fresh(String name) throws SQLException {
        String url = TestDatabase.fresh(name);
        try (Connection admin = DriverManager.getConnection(TestDatabase.url(), TestDatabase.username(), TestDatabase.password());
             Statement sql = admin.createStatement()) {
            sql.execute("do $$ begin if not exists (select from pg_roles where rolname = '" + ROLE + "') then "
                    + "create role " + ROLE + " login nosuperuser nocreatedb nocreaterole password '" + PASSWORD + "'; end if; end $$");
            sql.execute("alter database " + name + " owner to " + ROLE);
        }
        // the embedded test server's URL names its superuser, which would win over the role given apart
        return url.replaceAll("([?&])user=[^&]*&?", "$1").replaceAll("[?&]$", "");
    }
}
