package io.feedsync.store;

import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code INSERT … ON CONFLICT (key) DO UPDATE … WHERE row IS DISTINCT FROM excluded} for one
 * table and one column list. An unchanged row is neither rewritten nor returned; a returned row
 * says whether it was inserted ({@code xmax = 0}) or updated, and its key.
 * The rows come as one text array per column, unnested and cast to each column's declared type:
 * one statement text for any number of rows, so PostgreSQL prepares it once, where a multi-row
 * VALUES list with a parameter per value was parsed and planned again for every batch.
 */
public final class UpsertStatement {

    /** Bounds the arrays of one statement (a batch is usually smaller). */
    private static final int MAX_ROWS = 10_000;

    private final List<String> columns;
    private final String sql;

    public UpsertStatement(TargetTable table, List<String> columns) {
        for (String column : columns) {
            if (!table.hasColumn(column)) {
                throw new IllegalArgumentException("table '" + table.name() + "' has no column '" + column + "'");
            }
        }
        this.columns = List.copyOf(columns);
        List<String> updated = columns.stream().filter(c -> !table.key().contains(c)).toList();
        StringBuilder head = new StringBuilder("INSERT INTO " + table.quotedName() + " AS t (" + join(columns, "", "")
                + ") SELECT ");
        StringBuilder arrays = new StringBuilder();
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            String separator = i == 0 ? "" : ", ";
            head.append(separator).append("CAST(u.v").append(i).append(" AS ").append(table.columnTypes().get(columns.get(i)))
                    .append(')');
            arrays.append(separator).append("CAST(? AS text[])");
            names.append(separator).append('v').append(i);
        }
        head.append(" FROM unnest(").append(arrays).append(") AS u(").append(names).append(')');
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
        this.sql = head + (sets.isEmpty()
                ? conflict + " DO NOTHING RETURNING true, " + returnedKey
                : conflict + " DO UPDATE SET " + String.join(", ", sets) + " WHERE " + changed
                        + " RETURNING (xmax = 0), " + returnedKey);
    }

    public List<String> columns() {
        return columns;
    }

    public int rowsPerStatement() {
        return MAX_ROWS;
    }

    /** The statement; parameter i is the text array of column i's values, one element per row. */
    public String sql() {
        return sql;
    }

    private static String join(List<String> columns, String prefix, String suffix) {
        return columns.stream().map(c -> prefix + quote(c) + suffix).collect(Collectors.joining(", "));
    }

    private static String quote(String column) {
        return TargetTable.quoteIdentifier(column);
    }
}
