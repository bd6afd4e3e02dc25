package io.feedsync.store;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedConfigException;
import io.feedsync.config.FeedDefinition;
import io.feedsync.config.FeedFamilies;
import io.feedsync.upstream.ForEach;
import io.feedsync.upstream.Parent;
import io.feedsync.upstream.ParentUrls;

/**
 * The parents of a child feed's run: the live rows of the parent feed's target table (on a shared
 * table, the rows the parent feed wrote), read in key order a page at a time with a keyset cursor, so
 * that a million parents never sit in memory. A changed-only run leaves out the parents whose record the
 * parent feed last changed (inserted, updated, revived) in a transaction older than {@code changedFrom}.
 */
@Component
public class ParentRows {

    /** Parents read per statement. */
    static final int PAGE = 500;

    private final JdbcTemplate jdbc;
    private final TargetTables tables;
    private final FeedCatalog catalog;

    public ParentRows(JdbcTemplate jdbc, TargetTables tables, FeedCatalog catalog) {
        this.jdbc = jdbc;
        this.tables = tables;
        this.catalog = catalog;
    }

    /** Which parents a run reads: those after {@code after} (null: from the first), changed from a transaction on. */
    public record Selection(String changedFrom, List<String> after) {
    }

    /** The oldest transaction still in flight now: a changed-only run that starts now reads the parents changed from it. */
    public String snapshotXmin() {
        return jdbc.queryForObject("select pg_snapshot_xmin(pg_current_snapshot())::text", String.class);
    }

    /**
     * The {@code changedFrom} of a changed-only run of {@code child}: where its last successful run
     * (not a dry run or a drift check) of the same parent feed began; null when it has none (every parent
     * is read — also after {@code for-each.feed} changed).
     */
    public String changedFrom(FeedDefinition child) {
        return jdbc.queryForList("select parents_xmin::text from sync_run where feed = ? and status = 'SUCCEEDED'"
                + " and not dry_run and trigger <> 'drift' and range_since is null and parents_xmin is not null"
                + " and parents_feed = ?"
                + " order by id desc limit 1", String.class, child.name(), child.source().forEach().feed())
                .stream().findFirst().orElse(null);
    }

    /** How many parents {@code selection} holds. */
    public long count(FeedDefinition child, Selection selection) {
        Query query = query(child, selection, null);
        return jdbc.queryForObject("select count(*) from " + query.from, Long.class, query.args.toArray());
    }

    /** The parents of {@code selection}, in key order, read {@value #PAGE} at a time as they are asked for. */
    public Iterator<Parent> read(FeedDefinition child, Selection selection) {
        return new Iterator<>() {
            private final List<Parent> page = new ArrayList<>();
            private int next;
            private List<String> after = selection.after();
            private boolean last;

            @Override
            public boolean hasNext() {
                if (next < page.size()) {
                    return true;
                }
                if (last) {
                    return false;
                }
                page.clear();
                next = 0;
                page.addAll(page(child, new Selection(selection.changedFrom(), after)));
                last = page.size() < PAGE;
                if (!page.isEmpty()) {
                    after = page.get(page.size() - 1).key();
                }
                return !page.isEmpty();
            }

            @Override
            public Parent next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.get(next++);
            }
        };
    }

    private List<Parent> page(FeedDefinition child, Selection selection) {
        ForEach forEach = child.source().forEach();
        TargetTable table = parentTable(child);
        List<String> select = new ArrayList<>();
        table.key().forEach(column -> select.add("p." + TargetTable.quoteIdentifier(column) + "::text"));
        // a value longer than any URL takes is cut one past the limit, to be refused as such (ParentUrls)
        forEach.columns().forEach(column -> select.add("left(p." + TargetTable.quoteIdentifier(column) + "::text, "
                + (ParentUrls.MAX_VALUE + 1) + ")"));
        Query query = query(child, selection, table);
        String order = String.join(", ", table.key().stream().map(c -> "p." + TargetTable.quoteIdentifier(c)).toList());
        int keys = table.key().size();
        return jdbc.query("select " + String.join(", ", select) + " from " + query.from + " order by " + order
                + " limit " + PAGE, (rs, row) -> {
                    List<String> key = new ArrayList<>(keys);
                    for (int i = 1; i <= keys; i++) {
                        key.add(rs.getString(i));
                    }
                    Map<String, String> columns = new LinkedHashMap<>();
                    for (int i = 0; i < forEach.columns().size(); i++) {
                        columns.put(forEach.columns().get(i), rs.getString(keys + 1 + i));
                    }
                    return new Parent(List.copyOf(key), columns);
                }, query.args.toArray());
    }

    private record Query(String from, List<Object> args) {
    }

    /** {@code <table> p where …}: the live parents of the selection. */
    private Query query(FeedDefinition child, Selection selection, TargetTable known) {
        FeedDefinition parent = parentFeed(child);
        TargetTable table = known != null ? known : parentTable(child);
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder(table.softDeleteColumn() == null ? "true"
                : "p." + TargetTable.quoteIdentifier(table.softDeleteColumn()) + " is null");
        if (parent.target().shared()) {
            where.append(" and ").append(RecordHashes.writtenBy(parent.name(), table, "p"));
        }
        if (selection.changedFrom() != null) {
            // left out only when known unchanged: the parent feed's record under the row's key last changed
            // before the bound. A row whose key text is not the upstream's (an upper-case uuid, "007") finds no
            // record, and is read every time rather than missed
            where.append(" and not exists (select 1 from sync_record_hash h where h.feed = ? and h.record_key ="
                    + " concat_ws('|', ").append(String.join(", ", table.key().stream()
                            .map(c -> "p." + TargetTable.quoteIdentifier(c) + "::text").toList()))
                    .append(") and h.changed_xid < cast(? as xid8))");
            args.add(parent.name());
            args.add(selection.changedFrom());
        }
        if (selection.after() != null) {
            List<String> columns = table.key().stream().map(c -> "p." + TargetTable.quoteIdentifier(c)).toList();
            List<String> values = table.key().stream().map(c -> "cast(? as " + table.columnTypes().get(c) + ")").toList();
            where.append(" and (").append(String.join(", ", columns)).append(") > (")
                    .append(String.join(", ", values)).append(")");
            args.addAll(selection.after());
        }
        return new Query(table.quotedName() + " p where " + where, args);
    }

    private FeedDefinition parentFeed(FeedDefinition child) {
        String parent = child.source().forEach().feed();
        return catalog.find(parent).orElseThrow(() -> new FeedConfigException("feedsync.feeds." + child.name()
                + ".source.for-each.feed", "no feed named '" + parent + "'"));
    }

    /** The parent feed's table, with every {@code for-each} column (each one the parent feed writes). */
    TargetTable parentTable(FeedDefinition child) {
        FeedDefinition parent = parentFeed(child);
        // the parent may have been redefined since the child was: what it no longer writes is not read
        List<FeedConfigException> unreadable = FeedFamilies.columns(child, parent);
        if (!unreadable.isEmpty()) {
            throw FeedConfigException.of(unreadable);
        }
        TargetTable table = tables.of(parent.name());
        for (String column : child.source().forEach().columns()) {
            if (!table.hasColumn(column)) {
                throw new FeedConfigException("feedsync.feeds." + child.name() + ".source.for-each.columns",
                        "the parent feed's table " + table.name() + " has no column '" + column + "'");
            }
        }
        return table;
    }
}
