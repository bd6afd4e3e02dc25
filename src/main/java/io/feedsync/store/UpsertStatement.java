package io.feedsync.store;

import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code INSERT … ON CONFLICT (key) DO UPDATE … WHERE row IS DISTINCT FROM excluded} for one
 * table and one column list, with a multi-row VALUES list. An unchanged row is neither rewritten
 * nor returned; a returned row says whether it was inserted ({@code xmax = 0}) or updated, and
 * its key.
 * Values are bound as text and cast to each column's declared type.
 */
public final class UpsertStatement {

    /** PostgreSQL's wire protocol allows at most 65535 bind parameters per statement. */
    private static final int MAX_PARAMETERS = 32_000;

    private final List<String> columns;
    private final String head;
    private final String rowPlaceholders;
    private final String tail;
    private final int rowsPerStatement;

    public UpsertStatement(TargetTable table, List<String> columns) {
        for (String column : columns) {
            if (!table.hasColumn(column)) {
                throw new IllegalArgumentException("table '" + table.name() + "' has no column '" + column + "'");
            }
        }
        this.columns = List.copyOf(columns);
        List<String> updated = columns.stream().filter(c -> !table.key().contains(c)).toList();
        this.head = "INSERT INTO " + table.quotedName() + " AS t (" + join(columns, "", "") + ") VALUES ";
        this.rowPlaceholders = columns.stream()
                .map(c -> "CAST(? AS " + table.columnTypes().get(c) + ")")
                .collect(Collectors.joining(", ", "(", ")"));
        String conflict = " ON CONFLICT (" + join(table.key(), "", "") + ")";
        // a row the feed soft-deleted comes back to life when its record does
        String softDelete = table.softDeleteColumn() == null || columns.contains(table.softDeleteColumn()) ? null
                : quote(table.softDeleteColumn());
        List<String> sets = new java.util.ArrayList<>(updated.stream().map(c -> quote(c) + " = EXCLUDED." + quote(c)).toList());
        if (softDelete != null) {
            sets.add(softDelete + " = NULL");
        }
        String changed = updated.isEmpty() ? "false"
                : "(" + join(updated, "t.", "") + ") IS DISTINCT FROM (" + join(updated, "EXCLUDED.", "") + ")";
        if (softDelete != null) {
            changed += " OR t." + softDelete + " IS NOT NULL";
        }
        String returnedKey = "concat_ws('|', " + table.key().stream().map(c -> "t." + quote(c) + "::text")
                .collect(Collectors.joining(", ")) + ")";
        this.tail = sets.isEmpty()
                ? conflict + " DO NOTHING RETURNING true, " + returnedKey
                : conflict + " DO UPDATE SET " + String.join(", ", sets) + " WHERE " + changed
                        + " RETURNING (xmax = 0), " + returnedKey;
        this.rowsPerStatement = Math.max(1, MAX_PARAMETERS / columns.size());
    }

    public List<String> columns() {
        return columns;
    }

    public int rowsPerStatement() {
        return rowsPerStatement;
    }

    public String sql(int rows) {
        StringBuilder sql = new StringBuilder(head.length() + rows * (rowPlaceholders.length() + 2) + tail.length());
        sql.append(head);
        for (int i = 0; i < rows; i++) {
            if (i > 0) {
                sql.append(", ");
            }
            sql.append(rowPlaceholders);
        }
        return sql.append(tail).toString();
    }

    private static String join(List<String> columns, String prefix, String suffix) {
        return columns.stream().map(c -> prefix + quote(c) + suffix).collect(Collectors.joining(", "));
    }

    private static String quote(String column) {
        return TargetTable.quoteIdentifier(column);
    }
}
