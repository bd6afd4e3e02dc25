package io.feedsync.store;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Warns once at startup when feedsync connects to its database as a superuser: any SQL a feed
 * reaches (a {@code sql:} notification, a migration) would then run with every power over the
 * database and, through {@code COPY … TO PROGRAM}, over the machine. feedsync needs to own only
 * its schema and the tables it creates (docs/operations.md, "Database", has the GRANTs).
 */
@Component
class SuperuserWarning {

    private static final Logger log = LoggerFactory.getLogger(SuperuserWarning.class);

    private final JdbcTemplate jdbc;

    SuperuserWarning(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @EventListener(ApplicationStartedEvent.class)
    void warnIfSuperuser() {
        try {
            Map<String, Object> role = jdbc.queryForMap(
                    "select rolname, rolsuper from pg_roles where rolname = current_user");
            if (Boolean.TRUE.equals(role.get("rolsuper"))) {
                log.warn("feedsync connects to the database as role '{}', a superuser: SQL reached through a feed would run "
                        + "with every power over the database and the server's machine. Connect as a role that owns only "
                        + "feedsync's schema and its target tables (docs/operations.md, \"Database\")", role.get("rolname"));
            }
        } catch (DataAccessException unknown) {
            log.debug("Could not tell whether feedsync's database role is a superuser", unknown);
        }
    }
}
