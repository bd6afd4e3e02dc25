package io.feedsync.store;

import java.util.List;
import java.util.Map;

/**
 * A target table as PostgreSQL describes it: its columns with their SQL types, the key columns a
 * unique constraint covers, and the soft-delete column if the feed has one. Names are validated
 * identifiers, so quoting is safe.
 */
public record TargetTable(String name, Map<String, String> columnTypes, List<String> key, String softDeleteColumn) {

    public TargetTable withSoftDelete(String column) {
        return new TargetTable(name, columnTypes, key, column);
    }

    public String quotedName() {
        return quote(name);
    }

    public boolean hasColumn(String column) {
        return columnTypes.containsKey(column);
    }

    static String quote(String qualifiedName) {
        StringBuilder quoted = new StringBuilder();
        for (String part : qualifiedName.split("\\.")) {
            if (!quoted.isEmpty()) {
                quoted.append('.');
            }
            quoted.append(quoteIdentifier(part));
        }
        return quoted.toString();
    }

    /**
     * One SQL identifier, quoted. Configured names are validated as plain identifiers at startup;
     * a transform bean's column names are only checked against the catalog, so a double quote in
     * one is doubled here rather than trusted.
     */
    public static String quoteIdentifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
