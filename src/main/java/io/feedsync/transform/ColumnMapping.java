package io.feedsync.transform;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code transform.mapping}: each target column takes the value at a JSON pointer of the record. */
public record ColumnMapping(String table, Map<String, String> pointers) implements RecordMapper {

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
