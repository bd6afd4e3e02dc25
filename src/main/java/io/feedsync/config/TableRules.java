package io.feedsync.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.feedsync.config.FeedKeys.blankToNull;

/** {@code transform} and {@code target}: how a record becomes rows, and the table they go to. */
final class TableRules {

    private TableRules() {
    }

    static FeedDefinition.Transform transform(FeedKeys keys, FeedsyncProperties.Transform transform) {
        String bean = transform == null ? null : blankToNull(transform.bean());
        Map<String, FeedsyncProperties.MappedColumn> mapping = transform == null || transform.mapping() == null
                ? Map.of() : transform.mapping();
        if (bean == null && mapping.isEmpty()) {
            throw keys.bad("transform", "set transform.bean or transform.mapping");
        }
        if (bean != null && !mapping.isEmpty()) {
            throw keys.bad("transform", "set transform.bean or transform.mapping, not both");
        }
        List<FeedConfigException> problems = new ArrayList<>();
        Map<String, String> columns = new LinkedHashMap<>();
        Map<String, ColumnType> types = new LinkedHashMap<>();
        Map<String, String> parents = new LinkedHashMap<>();
        mapping.forEach((column, mapped) -> {
            String key = "transform.mapping." + column;
            try {
                keys.identifier(key, column);
                if (mapped != null && blankToNull(mapped.parent()) != null) {
                    keys.identifier(key + ".parent", mapped.parent().trim());
                    parents.put(column, mapped.parent().trim());
                    // the parent's value, or with for-each.batch, where the record names its parent
                    columns.put(column, mapped.pointer() == null ? null : keys.pointer(key + ".pointer", mapped.pointer()));
                    if (mapped.type() != null) {
                        types.put(column, columnType(keys, key + ".type", mapped.type()));
                    }
                } else if (mapped == null || mapped.type() == null) {
                    columns.put(column, keys.pointer(key, mapped == null ? null : mapped.pointer()));
                } else {
                    columns.put(column, keys.pointer(key + ".pointer", keys.required(key + ".pointer", mapped.pointer())));
                    types.put(column, columnType(keys, key + ".type", mapped.type()));
                }
            } catch (FeedConfigException e) {
                problems.addAll(e.problems());
            }
        });
        if (!problems.isEmpty()) {
            throw FeedConfigException.of(problems);
        }
        return new FeedDefinition.Transform(bean, columns, types, parents);
    }

    private static ColumnType columnType(FeedKeys keys, String key, String written) {
        String name = keys.required(key, written);
        return ColumnType.of(name).orElseThrow(() -> keys.bad(key, "unknown type '" + name + "' (expected one of "
                + ColumnType.names() + ")"));
    }

    /**
     * {@code target.create: true} makes the table from the mapping: only a mapping says which columns
     * and types a feed writes (a transform bean's rows are known only as they come), and the key
     * must be among them.
     */
    static void creatable(FeedKeys keys, FeedDefinition.Transform transform, FeedDefinition.Target target,
                                  List<FeedConfigException> problems) {
        if (!target.create()) {
            return;
        }
        if (transform.bean() != null) {
            problems.add(keys.bad("target.create", "needs transform.mapping, not transform.bean: the table is made"
                    + " from the mapped columns and their types"));
            return;
        }
        for (String column : target.key()) {
            if (!transform.mapping().containsKey(column)) {
                problems.add(keys.bad("target.key", "key column '" + column + "' is not mapped; target.create makes"
                        + " the table from transform.mapping"));
            }
        }
    }

    static FeedDefinition.Target target(FeedKeys keys, FeedsyncProperties.Target target) {
        if (target == null) {
            throw keys.bad("target.table", "must be set");
        }
        String table = keys.required("target.table", target.table());
        for (String part : table.split("\\.", -1)) {
            keys.identifier("target.table", part);
        }
        if (table.split("\\.").length > 2) {
            throw keys.bad("target.table", "'" + table + "' must be table or schema.table");
        }
        if (target.key() == null || target.key().isEmpty()) {
            throw keys.bad("target.key", "must list the key column(s)");
        }
        target.key().forEach(column -> keys.identifier("target.key", column));
        if (Set.copyOf(target.key()).size() != target.key().size()) {
            throw keys.bad("target.key", "lists a column twice");
        }
        String softDelete = blankToNull(target.softDelete());
        if (softDelete != null) {
            keys.identifier("target.soft-delete", softDelete);
            if (target.key().contains(softDelete)) {
                throw keys.bad("target.soft-delete", "'" + softDelete + "' is a key column");
            }
        }
        return new FeedDefinition.Target(table, List.copyOf(target.key()), softDelete,
                softDeleteAfter(keys, target.softDeleteAfter(), softDelete),
                Boolean.TRUE.equals(target.create()), Boolean.TRUE.equals(target.shared()));
    }

    /**
     * {@code target.soft-delete-after: N}: how many consecutive complete full runs must miss a row
     * before it is soft-deleted. By default 2 with page-number or offset pagination, whose pages
     * shift when the upstream deletes a record during a run, so that a record still there can go
     * unseen once; 1 with the others, which page from a position the upstream keeps.
     */
    private static int softDeleteAfter(FeedKeys keys, String text, String softDelete) {
        String key = "target.soft-delete-after";
        String value = blankToNull(text);
        if (value == null) {
            String paging = PaginationRules.type(keys);
            return "page".equals(paging) || "offset".equals(paging) ? 2 : 1;
        }
        if (softDelete == null) {
            throw keys.bad(key, "needs target.soft-delete: it counts the full runs that miss a row before that"
                    + " column is set");
        }
        int runs;
        try {
            runs = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw keys.bad(key, "'" + value.trim() + "' is not a whole number of full runs (1 or more)");
        }
        if (runs < 1) {
            throw keys.bad(key, "must be 1 or more (" + runs + " given): the number of consecutive complete full"
                    + " runs that must miss a row before it is soft-deleted");
        }
        return runs;
    }

}
