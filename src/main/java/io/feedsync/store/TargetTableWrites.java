package io.feedsync.store;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.transform.TargetRow;
import io.feedsync.transform.TransformedRecord;

/**
 * The statements that write rows into one target table, inside the caller's transaction: rows are
 * {@code COPY}ed into a temporary staging table and merged with one statement per column list
 * ({@link MergeStatement}), and the rows of delete markers are soft-deleted the same way
 * ({@link MarkedDeletes}). Both count what they did and sample a few keys; given the run whose
 * changes they are, they write its change events in the same statements ({@link ChangeOutbox}).
 * The statements (and their staging tables) are made once per table, key and column list.
 */
@Component
class TargetTableWrites {

    private final JdbcTemplate jdbc;
    private final Map<String, MergeStatement> merges = new ConcurrentHashMap<>();
    private final Map<String, MarkedDeletes> markedDeletes = new ConcurrentHashMap<>();
    /** Numbers the staging tables of both kinds of statement: one name never serves two column lists. */
    private final AtomicInteger stages = new AtomicInteger();

    TargetTableWrites(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Merges the rows into the table. {@code changesOf}: the run whose change events the merge writes,
     * null for a table other than the feed's.
     */
    UpsertCounts merge(TargetTable table, List<TargetRow> rows, RunSamples samples, StoreRun changesOf) {
        UpsertCounts counts = UpsertCounts.NONE;
        // rows grouped by the columns they set (values are bound by column name, so order does not matter)
        Map<Set<String>, List<TargetRow>> byColumns = new LinkedHashMap<>();
        Set<String> lastColumns = null;
        List<TargetRow> lastGroup = null;
        for (TargetRow row : rows) {
            Set<String> columns = row.values().keySet();
            if (lastGroup == null || !sameInOrder(lastColumns, columns)) {
                lastColumns = columns;
                lastGroup = byColumns.computeIfAbsent(columns, k -> new ArrayList<>());
            }
            lastGroup.add(row);
        }
        for (Map.Entry<Set<String>, List<TargetRow>> group : byColumns.entrySet()) {
            List<String> columns = List.copyOf(group.getKey());
            // two feeds may write one table with different keys: the key is part of the statement
            String id = table.name() + "/" + table.key() + "/" + table.softDeleteColumn() + columns;
            MergeStatement statement = merges.computeIfAbsent(id, k -> new MergeStatement(table, columns,
                    "feedsync_stage_" + stages.incrementAndGet(), RunSamples.PER_OUTCOME));
            counts = counts.plus(merge(statement, group.getValue(), samples, changesOf));
        }
        return counts;
    }

    private UpsertCounts merge(MergeStatement statement, List<TargetRow> rows, RunSamples samples,
                               StoreRun changesOf) {
        List<String> columns = statement.columns();
        CopyText lines = new CopyText(rows.size() * columns.size() * 24);
        for (TargetRow row : rows) {
            lines.row(row.values(), columns);
        }
        jdbc.execute(statement.createStage());
        lines.copyInto(jdbc, statement.copy());
        // a prepared statement (JdbcTemplate sends one without parameters as a plain query): the
        // driver prepares it on the server after a few chunks, and PostgreSQL plans it once
        List<UpsertCounts> answer = jdbc.query(connection -> ChangeOutbox.prepare(connection, changesOf,
                statement.merge(), statement.mergeRecordingChanges()), (result, n) -> {
            long inserted = result.getLong(1);
            long updated = result.getLong(2);
            for (String key : (String[]) result.getArray(3).getArray()) {
                samples.add(RunSamples.INSERTED, key);
            }
            for (String key : (String[]) result.getArray(4).getArray()) {
                samples.add(RunSamples.UPDATED, key);
            }
            return new UpsertCounts(inserted, updated, rows.size() - inserted - updated);
        });
        return answer.get(0);
    }

    /**
     * Soft-deletes the rows of the records that carry a delete marker, in the feed's target table
     * ({@code table}) only (a mapper's other tables keep their rows); a marked key whose row is
     * missing or deleted already counts as unchanged.
     */
    UpsertCounts softDelete(StoreRun run, TargetTable table, List<TransformedRecord> marked, RunSamples samples) {
        // on a shared table a feed deletes only its own rows: the statement is that feed's
        String writtenBy = run.feed().target().shared() ? run.feed().name() : null;
        MarkedDeletes statement = markedDeletes.computeIfAbsent(
                table.name() + "/" + table.softDeleteColumn() + table.key() + "/" + writtenBy,
                k -> new MarkedDeletes(table, "feedsync_stage_" + stages.incrementAndGet(), RunSamples.PER_OUTCOME,
                        writtenBy));
        CopyText lines = new CopyText(marked.size() * 32);
        for (TransformedRecord record : marked) {
            lines.row(record.rows().get(0).values(), table.key());
        }
        jdbc.execute(statement.createStage());
        lines.copyInto(jdbc, statement.copy());
        List<UpsertCounts> answer = jdbc.query(connection -> ChangeOutbox.prepare(connection, run,
                        statement.softDelete(), statement.softDeleteRecordingChanges()),
                (result, n) -> {
                    long deleted = result.getLong(1);
                    for (String key : (String[]) result.getArray(2).getArray()) {
                        samples.add(RunSamples.DELETED, key);
                    }
                    return new UpsertCounts(0, 0, marked.size() - deleted, deleted);
                });
        return answer.get(0);
    }

    /** Cheaper than set equality for the usual case: the same column names (the same strings) in the same order. */
    private static boolean sameInOrder(Set<String> these, Set<String> those) {
        if (these == those) {
            // rows of one column mapping share their key set
            return true;
        }
        if (these.size() != those.size()) {
            return false;
        }
        Iterator<String> other = those.iterator();
        for (String column : these) {
            String next = other.next();
            if (column != next && !column.equals(next)) {
                return false;
            }
        }
        return true;
    }
}
