package io.feedsync.transform;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** {@code transform.mapping}: each target column takes the value at a JSON pointer of the record. */
public final class ColumnMapping implements RecordMapper {

    private final String table;
    private final ColumnValues.Columns columns;
    /** Compiled once: compiling a pointer for every column of every record cost more than reading it. */
    private final JsonPointer[] pointers;
    /** For a pointer to a field of the record itself ({@code /name}, the usual case): that field's name. */
    private final String[] fields;

    /** Columns declared {@code jsonb}: each value arrives as JSON text, so that a JSON string is one too. */
    private final boolean[] json;
    /** A child feed's columns taken from the parent row (null where the record gives the value). */
    private final String[] parentColumns;

    public ColumnMapping(String table, Map<String, String> pointers) {
        this(table, pointers, Set.of());
    }

    public ColumnMapping(String table, Map<String, String> pointers, Set<String> jsonColumns) {
        this(table, pointers, jsonColumns, Map.of());
    }

    /**
     * {@code parents}: a child feed's columns that take the parent row's value of a {@code for-each} column;
     * their pointer is null, unless the record names its parent itself ({@code for-each.batch}).
     */
    public ColumnMapping(String table, Map<String, String> pointers, Set<String> jsonColumns,
                         Map<String, String> parents) {
        this.table = table;
        List<String> names = new ArrayList<>(pointers.keySet());
        this.columns = new ColumnValues.Columns(names);
        this.pointers = new JsonPointer[names.size()];
        this.fields = new String[names.size()];
        this.json = new boolean[names.size()];
        this.parentColumns = new String[names.size()];
        for (int i = 0; i < names.size(); i++) {
            this.json[i] = jsonColumns.contains(names.get(i));
            String written = pointers.get(names.get(i));
            if (written == null) {
                this.parentColumns[i] = parents.get(names.get(i));
                continue;
            }
            JsonPointer pointer = JsonPointer.compile(written);
            this.pointers[i] = pointer;
            // on an object, at("/name") is get("name"), whatever the name looks like
            this.fields[i] = !pointer.matches() && pointer.tail().matches() ? pointer.getMatchingProperty() : null;
        }
    }

    @Override
    public List<TargetRow> map(JsonNode record) {
        return map(record, Map.of());
    }

    /** A record of a child feed: {@code parent} holds the parent row's {@code for-each} columns as text. */
    public List<TargetRow> map(JsonNode record, Map<String, String> parent) {
        if (!record.isObject()) {
            throw new RecordRejectedException("record is a JSON " + record.getNodeType().name().toLowerCase()
                    + ", not an object");
        }
        String[] values = new String[pointers.length];
        for (int i = 0; i < values.length; i++) {
            if (pointers[i] == null) {
                values[i] = parent.get(parentColumns[i]);
                continue;
            }
            JsonNode value = fields[i] != null ? record.get(fields[i]) : record.at(pointers[i]);
            values[i] = json[i] ? json(value) : text(value);
        }
        return List.of(new TargetRow(table, new ColumnValues(columns, values)));
    }

    /** The text PostgreSQL receives for a JSON value: nested objects and arrays as JSON (as {@code toString()} writes it). */
    public static String text(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return null;
        }
        return value.isValueNode() ? value.asText() : NESTED.get().write(value);
    }

    /** The JSON text of a value for a {@code jsonb} column; JSON {@code null} (or none) is SQL {@code NULL}. */
    static String json(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return null;
        }
        return value.isValueNode() ? value.toString() : NESTED.get().write(value);
    }

    private static final ThreadLocal<NestedJson> NESTED = ThreadLocal.withInitial(NestedJson::new);

    /**
     * Writes nested values as {@code JsonNode.toString()} does (a mapper with Jackson's defaults),
     * but through one writer and generator per thread: a new writer, generator and serializer
     * lookup per value cost more than the writing. The text must stay exactly the same: it is part
     * of each record's stored digest.
     */
    private static final class NestedJson {
        private static final ObjectMapper DEFAULTS = new ObjectMapper();
        private final StringWriter out = new StringWriter(256);
        private JsonGenerator generator;

        String write(JsonNode value) {
            out.getBuffer().setLength(0);
            try {
                if (generator == null) {
                    generator = DEFAULTS.getFactory().createGenerator(out);
                    // one value after another, with nothing between them
                    generator.setRootValueSeparator(null);
                }
                DEFAULTS.writeTree(generator, value);
                generator.flush();
                return out.toString();
            } catch (IOException | RuntimeException e) {
                // the generator may be left mid-value: start a new one next time, and write this value the plain way
                generator = null;
                return value.toString();
            }
        }
    }
}
