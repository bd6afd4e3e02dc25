package io.feedsync.transform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;

/** {@code transform.mapping}: each target column takes the value at a JSON pointer of the record. */
public final class ColumnMapping implements RecordMapper {

    private final String table;
    private final ColumnValues.Columns columns;
    /** Compiled once: compiling a pointer for every column of every record cost more than reading it. */
    private final JsonPointer[] pointers;
    /** For a pointer to a field of the record itself ({@code /name}, the usual case): that field's name. */
    private final String[] fields;

    public ColumnMapping(String table, Map<String, String> pointers) {
        this.table = table;
        List<String> names = new ArrayList<>(pointers.keySet());
        this.columns = new ColumnValues.Columns(names);
        this.pointers = new JsonPointer[names.size()];
        this.fields = new String[names.size()];
        for (int i = 0; i < names.size(); i++) {
            JsonPointer pointer = JsonPointer.compile(pointers.get(names.get(i)));
            this.pointers[i] = pointer;
            // on an object, at("/name") is get("name"), whatever the name looks like
            this.fields[i] = !pointer.matches() && pointer.tail().matches() ? pointer.getMatchingProperty() : null;
        }
    }

    @Override
    public List<TargetRow> map(JsonNode record) {
        if (!record.isObject()) {
            throw new RecordRejectedException("record is a JSON " + record.getNodeType().name().toLowerCase()
                    + ", not an object");
        }
        String[] values = new String[pointers.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = text(fields[i] != null ? record.get(fields[i]) : record.at(pointers[i]));
        }
        return List.of(new TargetRow(table, new ColumnValues(columns, values)));
    }

    /** The text PostgreSQL receives for a JSON value: nested objects and arrays as JSON. */
    public static String text(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return null;
        }
        return value.isValueNode() ? value.asText() : value.toString();
    }
}
