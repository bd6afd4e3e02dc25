package io.feedsync.store;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The set-based write of a chunk's delete markers for one table: the marked keys are {@code COPY}ed
 * as text into a staging table, then one {@code UPDATE … FROM} the staging table sets the table's
 * soft-delete column to {@code now()} on the rows of those keys that are not deleted yet (each key
 * cast to its column's declared type). A key the table lacks, or whose row is deleted already,
 * changes nothing. The statement answers how many rows it soft-deleted and a few of their keys.
 * Like {@link MergeStatement}'s, the staging table is a temporary one of the connection, emptied
 * at every commit. For a feed whose table is shared, only rows that feed wrote are soft-deleted.
 */
public final class MarkedDeletes {

    private final String createStage;
    private final String copy;
    private final String softDelete;
    private final String softDeleteRecordingChanges;

    /**
     * {@code stage}: the name of this statement's staging table, unique among the statements of the
     * process; {@code writtenBy}: the feed whose rows alone it soft-deletes (a shared table), or null.
     */
    public MarkedDeletes(TargetTable table, String stage, int samples, String writtenBy) {
        if (table.softDeleteColumn() == null) {
            throw new IllegalArgumentException("table '" + table.name() + "' has no soft-delete column");
        }
        List<String> staged = new ArrayList<>();
        List<String> match = new ArrayList<>();
        for (int i = 0; i < table.key().size(); i++) {
            String column = table.key().get(i);
            staged.add("v" + i + " text");
            match.add("t." + quote(column) + " = CAST(s.v" + i + " AS " + table.columnTypes().get(column) + ")");
        }
        this.createStage = "CREATE TEMP TABLE IF NOT EXISTS " + stage + " (" + String.join(", ", staged)
                + ") ON COMMIT DELETE ROWS";
        this.copy = "COPY " + stage + " FROM STDIN";
        String column = quote(table.softDeleteColumn());
        String returnedKey = "concat_ws('|', " + table.key().stream().map(c -> "t." + quote(c) + "::text")
                .collect(Collectors.joining(", ")) + ")";
        String update = "UPDATE " + table.quotedName() + " AS t SET " + column + " = now() FROM "
                + stage + " s WHERE " + String.join(" AND ", match) + " AND t." + column + " IS NULL"
                + (writtenBy == null ? "" : " AND " + RecordHashes.writtenBy(writtenBy, table, "t"))
                + " RETURNING " + returnedKey + " AS key";
        String answer = " SELECT"
                + " (SELECT count(*) FROM deleted),"
                + " ARRAY(SELECT key FROM deleted LIMIT " + samples + ")";
        this.softDelete = "WITH deleted AS (" + update + ")" + answer;
        this.softDeleteRecordingChanges = "WITH deleted AS (" + update + ", "
                + ChangeOutbox.beforeSoftDelete("to_jsonb(t)", table.softDeleteColumn()) + " AS row), "
                + ChangeOutbox.recording("deleted", "'deleted'") + answer;
    }

    public String createStage() {
        return createStage;
    }

    /** Each COPY line holds the key columns' values in the order of the table's key. */
    public String copy() {
        return copy;
    }

    /** Answers one row: how many rows were soft-deleted, and a few of their keys. */
    public String softDelete() {
        return softDelete;
    }

    /**
     * {@link #softDelete()} that also writes a {@code deleted} change event for each row, with the
     * row as it was before; its parameters are the feed's name and the run's id.
     */
    public String softDeleteRecordingChanges() {
        return softDeleteRecordingChanges;
    }

    private static String quote(String column) {
        return TargetTable.quoteIdentifier(column);
    }
}
