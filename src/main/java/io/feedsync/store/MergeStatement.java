package io.feedsync.store;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The set-based write of one table and one column list: the rows are {@code COPY}ed as text into a
 * staging table, then merged by one {@code INSERT … SELECT … ON CONFLICT (key) DO UPDATE … WHERE
 * row IS DISTINCT FROM excluded}, each value cast to its column's declared type. An unchanged row
 * is neither rewritten nor counted; the statement answers how many rows it inserted ({@code xmax =
 * 0}) and updated, and a few keys of each.
 * <p>
 * The staging table is a temporary one of the connection ({@code pg_temp}, never WAL-logged),
 * created once per connection and emptied at every commit, so each write transaction finds it empty.
 */
public final class MergeStatement {

    private final List<String> columns;
    private final String stage;
    private final String createStage;
    private final String copy;
    private final String merge;
    private final String mergeRecordingChanges;

    /** {@code stage}: the name of this statement's staging table, unique among the statements of the process. */
    public MergeStatement(TargetTable table, List<String> columns, String stage, int samples) {
        for (String column : columns) {
            if (!table.hasColumn(column)) {
                throw new IllegalArgumentException("table '" + table.name() + "' has no column '" + column + "'");
            }
        }
        this.columns = List.copyOf(columns);
        this.stage = stage;
        List<String> staged = new ArrayList<>();
        List<String> cast = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            staged.add("v" + i + " text");
            cast.add("CAST(s.v" + i + " AS " + table.columnTypes().get(columns.get(i)) + ")");
        }
        this.createStage = "CREATE TEMP TABLE IF NOT EXISTS " + stage + " (" + String.join(", ", staged)
                + ") ON COMMIT DELETE ROWS";
        this.copy = "COPY " + stage + " FROM STDIN";
        List<String> updated = columns.stream().filter(c -> !table.key().contains(c)).toList();
        String conflict = " ON CONFLICT (" + join(table.key(), "") + ")";
        // a row the feed soft-deleted comes back to life when its record does
        String softDelete = table.softDeleteColumn() == null || columns.contains(table.softDeleteColumn()) ? null
                : quote(table.softDeleteColumn());
        List<String> sets = new ArrayList<>(updated.stream().map(c -> quote(c) + " = EXCLUDED." + quote(c)).toList());
        if (softDelete != null) {
            sets.add(softDelete + " = NULL");
        }
        String changed = updated.isEmpty() ? "false"
                : "(" + join(updated, "t.") + ") IS DISTINCT FROM (" + join(updated, "EXCLUDED.") + ")";
        if (softDelete != null) {
            changed += " OR t." + softDelete + " IS NOT NULL";
        }
        String returnedKey = "concat_ws('|', " + table.key().stream().map(c -> "t." + quote(c) + "::text")
                .collect(Collectors.joining(", ")) + ")";
        String insert = "INSERT INTO " + table.quotedName() + " AS t (" + join(columns, "") + ") SELECT "
                + String.join(", ", cast) + " FROM " + stage + " s";
        String write = sets.isEmpty()
                ? insert + conflict + " DO NOTHING RETURNING true AS inserted, " + returnedKey + " AS key"
                : insert + conflict + " DO UPDATE SET " + String.join(", ", sets) + " WHERE " + changed
                        + " RETURNING (t.xmax = 0) AS inserted, " + returnedKey + " AS key";
        String answer = " SELECT"
                + " (SELECT count(*) FROM written WHERE inserted),"
                + " (SELECT count(*) FROM written WHERE NOT inserted),"
                + " ARRAY(SELECT key FROM written WHERE inserted LIMIT " + samples + "),"
                + " ARRAY(SELECT key FROM written WHERE NOT inserted LIMIT " + samples + ")";
        this.merge = "WITH written AS (" + write + ")" + answer;
        this.mergeRecordingChanges = recordingChanges(table, softDelete, returnedKey, write, answer);
    }

    /**
     * The merge that also writes a change event per row it inserted, updated or revived (see
     * {@link ChangeOutbox}). Every part of the statement sees the table as it was before it, so
     * {@code deleted_before} holds the keys of the staged rows that were soft-deleted: those the
     * merge updates are revived.
     */
    private String recordingChanges(TargetTable table, String softDelete, String returnedKey, String write,
                                    String answer) {
        String revived = "false";
        String deletedBefore = "";
        if (softDelete != null) {
            List<String> match = new ArrayList<>();
            for (String column : table.key()) {
                match.add("t." + quote(column) + " = CAST(s.v" + columns.indexOf(column) + " AS "
                        + table.columnTypes().get(column) + ")");
            }
            deletedBefore = "deleted_before AS (SELECT " + returnedKey + " AS key FROM " + stage + " s JOIN "
                    + table.quotedName() + " t ON " + String.join(" AND ", match) + " WHERE t." + softDelete
                    + " IS NOT NULL), ";
            revived = "c.key IN (SELECT key FROM deleted_before)";
        }
        return "WITH " + deletedBefore + "written AS (" + write + ", to_jsonb(t) AS row), "
                + ChangeOutbox.recording("written", "CASE WHEN c.inserted THEN 'inserted' WHEN " + revived
                        + " THEN 'revived' ELSE 'updated' END") + answer;
    }

    /** The columns, in the order of the staging table's (and of each COPY line's) fields. */
    public List<String> columns() {
        return columns;
    }

    public String stage() {
        return stage;
    }

    public String createStage() {
        return createStage;
    }

    public String copy() {
        return copy;
    }

    /** Answers one row: inserted count, updated count, sample keys inserted, sample keys updated. */
    public String merge() {
        return merge;
    }

    /**
     * {@link #merge()} that also writes a change event for each row it inserted, updated or revived,
     * in the same statement; its parameters are the feed's name and the run's id.
     */
    public String mergeRecordingChanges() {
        return mergeRecordingChanges;
    }

    private static String join(List<String> columns, String prefix) {
        return columns.stream().map(c -> prefix + quote(c)).collect(Collectors.joining(", "));
    }

    private static String quote(String column) {
        return TargetTable.quoteIdentifier(column);
    }
}
