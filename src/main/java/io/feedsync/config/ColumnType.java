package io.feedsync.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The types a mapped column may declare ({@code transform.mapping.<column>: { pointer: /x, type: integer }}):
 * a closed set, each a PostgreSQL type that the writer's text-then-cast can fill from a JSON value.
 * {@code target.create} creates columns of these types, and a column that exists must already have it.
 */
public enum ColumnType {
    TEXT("text", "text", Set.of("text", "character varying", "character")),
    INTEGER("integer", "integer", Set.of("integer")),
    BIGINT("bigint", "bigint", Set.of("bigint")),
    NUMERIC("numeric", "numeric", Set.of("numeric")),
    DOUBLE("double", "double precision", Set.of("double precision")),
    BOOLEAN("boolean", "boolean", Set.of("boolean")),
    DATE("date", "date", Set.of("date")),
    TIMESTAMPTZ("timestamptz", "timestamp with time zone", Set.of("timestamp with time zone")),
    JSONB("jsonb", "jsonb", Set.of("jsonb")),
    UUID("uuid", "uuid", Set.of("uuid"));

    private final String configName;
    private final String sql;
    /** The names {@code format_type} gives a column that has this type (modifiers such as {@code (10,2)} left out). */
    private final Set<String> described;

    ColumnType(String configName, String sql, Set<String> described) {
        this.configName = configName;
        this.sql = sql;
        this.described = described;
    }

    /** As written in the configuration. */
    public String configName() {
        return configName;
    }

    /** As PostgreSQL's DDL writes it. */
    public String sql() {
        return sql;
    }

    /** Whether a column PostgreSQL describes as {@code formatType} (e.g. {@code numeric(10,2)}) has this type. */
    public boolean matches(String formatType) {
        int modifiers = formatType.indexOf('(');
        String base = modifiers < 0 ? formatType : formatType.substring(0, modifiers)
                + formatType.substring(formatType.indexOf(')', modifiers) + 1);
        return described.contains(base.trim());
    }

    public static Optional<ColumnType> of(String configName) {
        String name = configName.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(type -> type.configName.equals(name)).findFirst();
    }

    /** Every type, as written in the configuration, for messages. */
    public static String names() {
        return String.join(", ", configNames());
    }

    /** Every type, as written in the configuration. */
    public static java.util.List<String> configNames() {
        return Arrays.stream(values()).map(ColumnType::configName).toList();
    }
}
