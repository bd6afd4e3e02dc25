package io.feedsync.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.feedsync.config.ColumnType;
import io.feedsync.config.FeedConfigException;
import io.feedsync.config.FeedDefinition;

/**
 * {@code target.create: true}: makes a feed's target table from its typed mapping when it is
 * missing — the mapped columns with their types, the key as primary key (what the merge's
 * {@code ON CONFLICT} needs), the soft-delete column — and records that it made it for that feed
 * ({@code sync_created_table}). It adds the mapped columns a table lacks only to a table it made for
 * the same feed (the same table, not one made again under that name); on any other table a missing
 * column is refused, naming it, and nothing is altered. A column is never dropped or retyped: one
 * whose type is not the declared one is refused, naming it, before anything is changed.
 * <p>
 * Each table's DDL runs in one transaction under an advisory lock of that table, so that nodes
 * (or feeds) doing it at once do it one after the other, and the second finds the work done. Names
 * are validated identifiers, quoted all the same.
 */
@Component
public class TargetTableCreation {

    private static final Logger log = LoggerFactory.getLogger(TargetTableCreation.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final String ownSchema;

    public TargetTableCreation(JdbcTemplate jdbc, TransactionTemplate transactions,
                               @Value("${feedsync.schema:feedsync}") String ownSchema) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.ownSchema = ownSchema;
    }

    /** Creates or completes the feed's table; throws naming every column whose type conflicts. */
    public void ensure(FeedDefinition feed) {
        String prefix = "feedsync.feeds." + feed.name();
        String table = qualified(prefix, feed.target().table());
        try {
            transactions.executeWithoutResult(status -> {
                jdbc.queryForObject("select pg_advisory_xact_lock(1717859193, hashtext('table:' || ?))::text",
                        String.class, table);
                Map<String, String> existing = TableColumns.of(jdbc, table);
                if (existing.isEmpty()) {
                    create(feed, table);
                    jdbc.update("""
                            insert into sync_created_table (table_name, table_oid, feed) values (?, to_regclass(?)::oid, ?)
                            on conflict (table_name) do update set table_oid = excluded.table_oid, feed = excluded.feed,
                                                                   created_at = now()""", table, TargetTable.quote(table),
                            feed.name());
                    // hashes and miss counts of a table dropped before (while this node was down, say)
                    // are of rows that are gone: the feed's next run writes every record again
                    jdbc.update("delete from sync_record_hash where feed = ?", feed.name());
                    jdbc.update("delete from sync_missed_key where feed = ?", feed.name());
                } else {
                    complete(feed, prefix, table, existing);
                }
            });
        } catch (DataAccessException e) {
            if (!refusedStatement(e)) {
                throw e;
            }
            throw new FeedConfigException(prefix + ".target.table", "could not create or change table '" + table
                    + "': " + NestedExceptionUtils.getMostSpecificCause(e).getMessage());
        }
    }

    /**
     * PostgreSQL refused the DDL itself (SQLSTATE class 42: no privilege, not a table, …): a problem
     * of the feed's target. Anything else (the database down or busy) is no fault of the definition.
     */
    private static boolean refusedStatement(DataAccessException e) {
        return DatabaseFailure.causes(e).stream().anyMatch(cause -> cause instanceof java.sql.SQLException sql
                && sql.getSQLState() != null && sql.getSQLState().startsWith("42"));
    }

    /** {@code schema.table}: as written, or in the first schema of the search path that is not feedsync's own. */
    private String qualified(String prefix, String table) {
        String schema;
        String name;
        if (table.contains(".")) {
            schema = table.substring(0, table.indexOf('.'));
            name = table.substring(table.indexOf('.') + 1);
            if (!jdbc.queryForObject("select exists (select 1 from pg_namespace where nspname = ?)", Boolean.class, schema)) {
                throw new FeedConfigException(prefix + ".target.table", "schema '" + schema + "' does not exist;"
                        + " target.create makes tables, not schemas");
            }
        } else {
            name = table;
            schema = jdbc.query("""
                    select coalesce(
                      (select n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                        where c.oid = to_regclass(?)),
                      (select s from unnest(current_schemas(false)) with ordinality as p(s, i)
                        where s <> ? order by i limit 1))""",
                    rs -> rs.next() ? rs.getString(1) : null, TargetTable.quote(table), ownSchema);
            if (schema == null) {
                throw new FeedConfigException(prefix + ".target.table", "no schema of the search path but feedsync's"
                        + " own to create '" + table + "' in; write target.table as schema.table");
            }
        }
        if (ownSchema.equals(schema)) {
            throw new FeedConfigException(prefix + ".target.table", "table '" + table + "' is one of feedsync's own"
                    + " (schema " + ownSchema + "); name a table of yours, with its schema if it is not on the search path");
        }
        return schema + "." + name;
    }


    /** Whether feedsync made this very table (not one made again under its name) for this feed. */
    private boolean createdFor(FeedDefinition feed, String table) {
        return Boolean.TRUE.equals(jdbc.queryForObject("""
                select exists (select 1 from sync_created_table
                                where table_name = ? and feed = ? and table_oid = to_regclass(?)::oid)""",
                Boolean.class, table, feed.name(), TargetTable.quote(table)));
    }

    private void create(FeedDefinition feed, String table) {
        List<String> definitions = new ArrayList<>();
        feed.transform().mapping().keySet().forEach(column ->
                definitions.add(TargetTable.quoteIdentifier(column) + " " + feed.transform().type(column).sql()));
        String softDelete = feed.target().softDeleteColumn();
        if (softDelete != null && !feed.transform().mapping().containsKey(softDelete)) {
            definitions.add(TargetTable.quoteIdentifier(softDelete) + " " + ColumnType.TIMESTAMPTZ.sql());
        }
        definitions.add("PRIMARY KEY (" + feed.target().key().stream().map(TargetTable::quoteIdentifier)
                .collect(Collectors.joining(", ")) + ")");
        jdbc.execute("CREATE TABLE IF NOT EXISTS " + TargetTable.quote(table) + " (" + String.join(", ", definitions) + ")");
        log.info("Feed {}: created table {} ({}), key ({})", feed.name(), table,
                String.join(", ", feed.transform().mapping().keySet()), String.join(", ", feed.target().key()));
    }

    private void complete(FeedDefinition feed, String prefix, String table, Map<String, String> existing) {
        List<FeedConfigException> conflicts = new ArrayList<>();
        Map<String, ColumnType> missing = new LinkedHashMap<>();
        for (String column : feed.transform().mapping().keySet()) {
            ColumnType declared = feed.transform().type(column);
            String type = existing.get(column);
            if (type == null) {
                missing.put(column, declared);
            } else if (!declared.matches(type)) {
                conflicts.add(new FeedConfigException(prefix + ".transform.mapping." + column, "column '" + column
                        + "' of table '" + table + "' is " + type + ", not " + declared.configName()
                        + " as declared; feedsync never retypes a column"));
            }
        }
        if (!conflicts.isEmpty()) {
            throw FeedConfigException.of(conflicts);
        }
        String softDelete = feed.target().softDeleteColumn();
        if (softDelete != null && !existing.containsKey(softDelete) && !missing.containsKey(softDelete)) {
            missing.put(softDelete, ColumnType.TIMESTAMPTZ);
        }
        if (!missing.isEmpty() && !createdFor(feed, table)) {
            throw FeedConfigException.of(missing.keySet().stream().map(column -> new FeedConfigException(
                    prefix + (feed.transform().mapping().containsKey(column) ? ".transform.mapping." + column
                            : ".target.soft-delete"),
                    "table '" + table + "' has no column '" + column + "', and feedsync did not create that table for"
                            + " this feed: target.create adds columns only to a table it created for the feed;"
                            + " add the column yourself")).toList());
        }
        missing.forEach((column, type) -> jdbc.execute("ALTER TABLE " + TargetTable.quote(table) + " ADD COLUMN IF NOT EXISTS "
                + TargetTable.quoteIdentifier(column) + " " + type.sql()));
        if (!missing.isEmpty()) {
            log.info("Feed {}: added column(s) {} to table {}", feed.name(), String.join(", ", missing.keySet()), table);
        }
    }
}
