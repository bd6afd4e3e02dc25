package io.feedsync.transform;

import java.util.List;
import java.util.Map;

/**
 * One row for one target table, as column name to value text ({@code null} for SQL NULL).
 * Values are text and PostgreSQL casts them to each column's type, so a mapper never has to
 * know how a column is declared. {@code key} names the columns the row is upserted on; it may be
 * null for rows of the feed's own target table, whose key is {@code target.key}.
 */
public record TargetRow(String table, List<String> key, Map<String, String> values) {

    public TargetRow(String table, Map<String, String> values) {
        this(table, null, values);
    }
}
