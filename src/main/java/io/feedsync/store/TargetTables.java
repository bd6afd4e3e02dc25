package io.feedsync.store;

import java.sql.Array;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedConfigException;
import io.feedsync.config.FeedDefinition;

/**
 * Checks every feed's target table against the database at startup (after the migrations):
 * the table exists, its key columns exist under one unique constraint, and every mapped column
 * exists. Anything else stops startup with a message naming the feed, the table and the column.
 */
@Component
@DependsOnDatabaseInitialization
public class TargetTables {

    private final JdbcTemplate jdbc;
    private static final java.util.regex.Pattern IDENTIFIER = java.util.regex.Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final Map<String, TargetTable> tables = new HashMap<>();
    private final Map<String, TargetTable> secondary = new java.util.concurrent.ConcurrentHashMap<>();

    public TargetTables(JdbcTemplate jdbc, FeedCatalog catalog) {
        this.jdbc = jdbc;
        for (FeedDefinition feed : catalog.all()) {
            tables.put(feed.name(), describe(feed));
        }
    }

    /** The described target table of a feed. */
    public TargetTable of(String feed) {
        return tables.get(feed);
    }

    /**
     * Another table a feed's mapper bean writes to, described (and checked) on first use: its
     * rows must name the key they are upserted on, under a unique constraint like any target's.
     */
    public TargetTable of(String feed, String table, List<String> key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalStateException("feed '" + feed + "': rows for table '" + table
                    + "' must name their key columns (TargetRow.key)");
        }
        return secondary.computeIfAbsent(feed + "/" + table + key, k -> {
            for (String part : table.split("\\.", -1)) {
                if (!IDENTIFIER.matcher(part).matches()) {
                    throw new IllegalStateException("'" + table + "' is not a plain lower-case SQL identifier");
                }
            }
            return describe(feed, table, key);
        });
    }

    /** Describes any table a transform bean writes to, with the key it upserts on. */
    public TargetTable describe(String feed, String table, List<String> key) {
        String prefix = "feedsync.feeds." + feed + ".target";
        Map<String, String> columns = new LinkedHashMap<>();
        jdbc.query("""
                select a.attname, format_type(a.atttypid, a.atttypmod)
                  from pg_attribute a
                 where a.attrelid = to_regclass(?) and a.attnum > 0 and not a.attisdropped
                 order by a.attnum""",
                rs -> {
                    columns.put(rs.getString(1), rs.getString(2));
                }, TargetTable.quote(table));
        if (columns.isEmpty()) {
            throw new FeedConfigException(prefix + ".table", "table '" + table + "' does not exist");
        }
        for (String column : key) {
            if (!columns.containsKey(column)) {
                throw new FeedConfigException(prefix + ".key",
                        "table '" + table + "' has no column '" + column + "'");
            }
        }
        if (!uniqueKeys(table).contains(Set.copyOf(key))) {
            throw new FeedConfigException(prefix + ".key", "table '" + table + "' has no unique constraint on ("
                    + String.join(", ", key) + "); upserts need one");
        }
        return new TargetTable(table, Map.copyOf(columns), List.copyOf(key), null);
    }

    private TargetTable describe(FeedDefinition feed) {
        TargetTable table = describe(feed.name(), feed.target().table(), feed.target().key())
                .withSoftDelete(feed.target().softDeleteColumn());
        for (String column : feed.transform().mapping().keySet()) {
            if (!table.hasColumn(column)) {
                throw new FeedConfigException("feedsync.feeds." + feed.name() + ".transform.mapping." + column,
                        "table '" + table.name() + "' has no column '" + column + "'");
            }
        }
        String softDelete = feed.target().softDeleteColumn();
        if (softDelete != null && !table.hasColumn(softDelete)) {
            throw new FeedConfigException("feedsync.feeds." + feed.name() + ".target.soft-delete",
                    "table '" + table.name() + "' has no column '" + softDelete + "'");
        }
        if (softDelete != null && !table.columnTypes().get(softDelete).startsWith("timestamp")) {
            throw new FeedConfigException("feedsync.feeds." + feed.name() + ".target.soft-delete",
                    "column '" + softDelete + "' is " + table.columnTypes().get(softDelete) + ", not a timestamp");
        }
        for (String column : feed.target().key()) {
            if (feed.transform().bean() == null && !feed.transform().mapping().containsKey(column)) {
                throw new FeedConfigException("feedsync.feeds." + feed.name() + ".transform.mapping",
                        "maps no value to key column '" + column + "'");
            }
        }
        return table;
    }

    private List<Set<String>> uniqueKeys(String table) {
        return jdbc.query("""
                select array(select a.attname
                               from unnest(i.indkey[0:i.indnkeyatts - 1]) as k(attnum)
                               join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum)
                  from pg_index i
                 where i.indrelid = to_regclass(?) and i.indisunique
                   and i.indpred is null and i.indexprs is null""",
                (rs, row) -> {
                    Array names = rs.getArray(1);
                    return Set.of((String[]) names.getArray());
                }, TargetTable.quote(table));
    }
}
