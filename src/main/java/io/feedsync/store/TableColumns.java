package io.feedsync.store;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;

/** A table's columns as PostgreSQL has them now, in order: name → type (as {@code format_type} writes it). */
final class TableColumns {

    private TableColumns() {
    }

    /** Empty when there is no such table. */
    static Map<String, String> of(JdbcTemplate jdbc, String table) {
        Map<String, String> columns = new LinkedHashMap<>();
        jdbc.query("""
                select a.attname, format_type(a.atttypid, a.atttypmod)
                  from pg_attribute a
                 where a.attrelid = to_regclass(?) and a.attnum > 0 and not a.attisdropped
                 order by a.attnum""",
                rs -> {
                    columns.put(rs.getString(1), rs.getString(2));
                }, TargetTable.quote(table));
        return columns;
    }
}
