package io.feedsync.store;

import java.sql.Array;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.config.ColumnType;
import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedConfigException;
import io.feedsync.config.FeedDefinition;

/**
 * Checks every feed's target table against the database at startup (after the migrations): its
 * key columns exist under one unique constraint, and every mapped column exists, with its declared
 * type if it declares one. Anything else stops startup with a message naming the feed, the table and
 * the column. A feed with {@code target.create} has its table created or completed first
 * ({@link TargetTableCreation}), here and whenever its definition is checked or described again.
 * <p>
 * A table that does not exist yet stops only its own feed: its runs fail with that message, and
 * health says so, until the table is created; the next run then checks it and uses it.
 */
@Component
@DependsOnDatabaseInitialization
public class TargetTables {

    private static final Logger log = LoggerFactory.getLogger(TargetTables.class);
    private static final java.util.regex.Pattern IDENTIFIER = java.util.regex.Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final JdbcTemplate jdbc;
    private final FeedCatalog catalog;
    private final Map<String, TargetTable> tables = new ConcurrentHashMap<>();
    private final Map<String, TargetTableMissingException> missing = new ConcurrentHashMap<>();
    /** The oid each described table had when it was described: a table dropped (and made again) since has another. */
    private final Map<String, Long> oids = new ConcurrentHashMap<>();
    private final Map<String, TargetTable> secondary = new ConcurrentHashMap<>();
    private final TargetTableCreation creation;
    private final TableOwnership ownership;

    /** {@code ownership} has checked, as it was made, that no configured feed writes a table it may not. */
    public TargetTables(JdbcTemplate jdbc, FeedCatalog catalog, TargetTableCreation creation, TableOwnership ownership) {
        this.jdbc = jdbc;
        this.creation = creation;
        this.ownership = ownership;
        this.catalog = catalog;
        for (FeedDefinition feed : catalog.all()) {
            try {
                remember(feed.name(), describe(feed));
            } catch (TargetTableMissingException notYet) {
                missing.put(feed.name(), notYet);
                log.warn("Feed {}: {}; its runs fail until it is created", feed.name(), notYet.getMessage());
            }
        }
    }

    /**
     * The described target table of a feed. A table that was missing is looked for again, so that
     * a table created after startup is used by the feed's next run.
     *
     * @throws TargetTableMissingException while the table does not exist
     */
    public TargetTable of(String feed) {
        TargetTable table = tables.get(feed);
        if (table != null) {
            return table;
        }
        synchronized (this) {
            table = tables.get(feed);
            if (table == null) {
                try {
                    table = describe(catalog.get(feed));
                } catch (TargetTableMissingException stillMissing) {
                    missing.put(feed, stillMissing);
                    throw stillMissing;
                }
                remember(feed, table);
                missing.remove(feed);
                log.info("Feed {}: target table '{}' exists now", feed, table.name());
            }
            return table;
        }
    }

    /**
     * The feed's target table as it is now, for a run that starts: one dropped since it was described
     * is described again (with {@code target.create}, made again first) or reported missing. The
     * feed's stored hashes and miss counts were of the dropped table's rows, so they are forgotten
     * and the next run writes every record again. One catalog lookup when nothing changed.
     *
     * @throws TargetTableMissingException while the table does not exist
     */
    public TargetTable current(String feed) {
        TargetTable known = tables.get(feed);
        if (known != null) {
            Long now = jdbc.queryForObject("select to_regclass(?)::oid::bigint", Long.class, known.quotedName());
            if (!java.util.Objects.equals(now, oids.get(feed))) {
                synchronized (this) {
                    if (tables.get(feed) == known) {
                        log.warn("Feed {}: target table '{}' was dropped since it was described; described again",
                                feed, known.name());
                        tables.remove(feed);
                        oids.remove(feed);
                        jdbc.update("delete from sync_record_hash where feed = ?", feed);
                        jdbc.update("delete from sync_missed_key where feed = ?", feed);
                    }
                }
            }
        }
        return of(feed);
    }

    /**
     * Checks a feed's target table as startup does: a table that does not exist yet is no error (the
     * feed's runs fail until it is created), anything else wrong with it is.
     */
    public void check(FeedDefinition feed) {
        try {
            describe(feed);
        } catch (TargetTableMissingException notYet) {
            log.info("Feed {}: {}; its runs fail until it is created", feed.name(), notYet.getMessage());
        }
    }

    /** Forgets the feed's described table: its definition changed, so its next run describes it again. */
    public void forget(String feed) {
        tables.remove(feed);
        oids.remove(feed);
        missing.remove(feed);
    }

    /**
     * Why the feed cannot run, if its target table was missing when last looked for (and still is).
     * {@code tableThere}: whether a table of that name is there now ({@link #missingTablesThere}); one
     * that is not is still missing, and is not looked for again (unless the feed creates its own).
     */
    public java.util.Optional<String> missing(String feed, boolean tableThere) {
        TargetTableMissingException known = missing.get(feed);
        if (known == null) {
            return java.util.Optional.empty();
        }
        if (!tableThere && !catalog.find(feed).map(definition -> definition.target().create()).orElse(false)) {
            return java.util.Optional.of(known.getMessage());
        }
        try {
            of(feed);
            return java.util.Optional.empty();
        } catch (TargetTableMissingException stillMissing) {
            return java.util.Optional.of(stillMissing.getMessage());
        }
    }

    /**
     * Of these feeds, those whose target table was missing when last looked for, each with whether a
     * table of that name is there now: one query for them all (none if no table is missing).
     */
    public Map<String, Boolean> missingTablesThere(Collection<String> feeds) {
        List<String> names = new java.util.ArrayList<>();
        List<String> tables = new java.util.ArrayList<>();
        for (String feed : feeds) {
            if (missing.containsKey(feed)) {
                catalog.find(feed).ifPresent(definition -> {
                    names.add(feed);
                    tables.add(TargetTable.quote(definition.target().table()));
                });
            }
        }
        Map<String, Boolean> there = new java.util.HashMap<>();
        if (!names.isEmpty()) {
            jdbc.query("select f, to_regclass(t) is not null from unnest(?::text[], ?::text[]) u(f, t)",
                    rs -> {
                        there.put(rs.getString(1), rs.getBoolean(2));
                    }, names.toArray(String[]::new), tables.toArray(String[]::new));
        }
        return there;
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
            ownership.checkWrites(catalog.get(feed), table);
            return describe(feed, table, key);
        });
    }

    /** Describes any table a transform bean writes to, with the key it upserts on. */
    public TargetTable describe(String feed, String table, List<String> key) {
        String prefix = "feedsync.feeds." + feed + ".target";
        Map<String, String> columns = TableColumns.of(jdbc, table);
        if (columns.isEmpty()) {
            throw new TargetTableMissingException(prefix + ".table", "table '" + table + "' does not exist");
        }
        String schema = jdbc.queryForObject(
                "select n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = to_regclass(?)",
                String.class, TargetTable.quote(table));
        ownership.refusal(table, schema).ifPresent(refused -> {
            throw new FeedConfigException(prefix + ".table", refused);
        });
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
        if (feed.target().create()) {
            creation.ensure(feed);
        }
        TargetTable table = describe(feed.name(), feed.target().table(), feed.target().key())
                .withSoftDelete(feed.target().softDeleteColumn());
        for (String column : feed.transform().mapping().keySet()) {
            if (!table.hasColumn(column)) {
                throw new FeedConfigException("feedsync.feeds." + feed.name() + ".transform.mapping." + column,
                        "table '" + table.name() + "' has no column '" + column + "'");
            }
            ColumnType declared = feed.transform().types().get(column);
            if (declared != null && !declared.matches(table.columnTypes().get(column))) {
                throw new FeedConfigException("feedsync.feeds." + feed.name() + ".transform.mapping." + column,
                        "column '" + column + "' of table '" + table.name() + "' is " + table.columnTypes().get(column)
                                + ", not " + declared.configName() + " as declared");
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

    private void remember(String feed, TargetTable table) {
        Long oid = jdbc.queryForObject("select to_regclass(?)::oid::bigint", Long.class, table.quotedName());
        if (oid != null) {
            oids.put(feed, oid);
        }
        tables.put(feed, table);
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
