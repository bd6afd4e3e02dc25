package io.feedsync.transform;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;

/** {@code transform.mapping}: each target column takes the value at a JSON pointer of the record. */
public final class ColumnMapping implements RecordMapper {

    private final String table;
    /** Compiled once: compiling a pointer for every column of every record cost more than reading it. */
    private final Map<String, JsonPointer> pointers = new LinkedHashMap<>();

    public ColumnMapping(String table, Map<String, String> pointers) {
        this.table = table;
        pointers.forEach((column, pointer) -> this.pointers.put(column, JsonPointer.compile(pointer)));
    }

    @Override
    public List<TargetRow> map(JsonNode record) {
        if (!record.isObject()) {
            throw new RecordRejectedException("record is a JSON " + record.getNodeType().name().toLowerCase()
                    + ", not an object");
        }
        Map<String, String> values = new LinkedHashMap<>();
        pointers.forEach((column, pointer) -> values.put(column, text(record.at(pointer))));
        return List.of(new TargetRow(table, values));
    }

    /** The text PostgreSQL receives for a JSON value: nested objects and arrays as JSON. */
    public static String text(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return null;
        }
        return value.isValueNode() ? value.asText() : value.toString();
    }
}
