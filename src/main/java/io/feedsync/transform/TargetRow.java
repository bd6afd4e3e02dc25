package io.feedsync.transform;

import java.util.Map;

/**
 * One row for one target table, as column name to value text ({@code null} for SQL NULL).
 * Values are text and PostgreSQL casts them to each column's type, so a mapper never has to
 * know how a column is declared.
 */
public record TargetRow(String table, Map<String, String> values) {
}
