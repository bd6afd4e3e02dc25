package io.feedsync.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

import io.feedsync.config.FeedConfigException;

/**
 * feedsync's own tables live in a schema of their own ({@code feedsync.schema}, default
 * {@code feedsync}), so that feedsync starts on a database that already holds the user's tables and
 * migrates nothing but that schema. Every connection finds that schema first (the pool's
 * {@code connection-init-sql}), then the database user's own search path, where target tables are.
 * <p>
 * A database that feedsync set up before it had a schema of its own keeps feedsync's tables and
 * Flyway's history in {@code public}: they are moved over, in one transaction, before Flyway
 * migrates, so its runs, watermarks, hashes and timers carry on.
 */
@Configuration(proxyBeanMethods = false)
public class OwnSchema {

    private static final Logger log = LoggerFactory.getLogger(OwnSchema.class);
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** Every table of the layout before V8, in the order they can be moved. */
    static final List<String> PUBLIC_LAYOUT = List.of("flyway_schema_history", "sync_run", "sync_watermark",
            "sync_dead_letter", "sync_record_hash", "sync_seen_key", "qrtz_job_details", "qrtz_triggers",
            "qrtz_simple_triggers", "qrtz_cron_triggers", "qrtz_simprop_triggers", "qrtz_blob_triggers",
            "qrtz_calendars", "qrtz_paused_trigger_grps", "qrtz_fired_triggers", "qrtz_scheduler_state",
            "qrtz_locks");

    @Bean
    FlywayMigrationStrategy ownSchemaFirst(@Value("${feedsync.schema:feedsync}") String schema) {
        if (!IDENTIFIER.matcher(schema).matches()) {
            throw new FeedConfigException("feedsync.schema", "'" + schema + "' is not a plain lower-case SQL identifier");
        }
        return flyway -> {
            moveFromPublic(flyway.getConfiguration().getDataSource(), schema);
            flyway.migrate();
        };
    }

    static void moveFromPublic(DataSource dataSource, String schema) {
        if ("public".equals(schema)) {
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            if (!laidOutInPublic(connection, schema)) {
                return;
            }
            connection.setAutoCommit(false);
            try (Statement sql = connection.createStatement()) {
                sql.execute("create schema if not exists " + schema);
                for (String table : PUBLIC_LAYOUT) {
                    sql.execute("alter table if exists public." + table + " set schema " + schema);
                }
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
            log.info("Moved feedsync's own tables from schema public to schema {}", schema);
        } catch (SQLException e) {
            throw new CannotGetJdbcConnectionException("could not move feedsync's tables from public to " + schema, e);
        }
    }

    /** feedsync's ledger and Flyway history (with feedsync's first migration) in public, none in the schema yet. */
    private static boolean laidOutInPublic(Connection connection, String schema) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("""
                select to_regclass('public.sync_run') is not null
                   and to_regclass('public.flyway_schema_history') is not null
                   and to_regclass(? || '.sync_run') is null""")) {
            query.setString(1, schema);
            try (ResultSet answer = query.executeQuery()) {
                answer.next();
                if (!answer.getBoolean(1)) {
                    return false;
                }
            }
        }
        try (Statement sql = connection.createStatement();
             ResultSet first = sql.executeQuery(
                     "select count(*) from public.flyway_schema_history where script = 'V1__sync_run_and_watermark.sql'")) {
            first.next();
            return first.getInt(1) == 1;
        }
    }
}
