package io.feedsync.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.feedsync.upstream.DeleteMarkers;


/** {@code source.delete-marker}: the records that say their row is deleted. */
final class DeleteMarkerRules {

    private DeleteMarkerRules() {
    }

    /**
     * {@code source.delete-marker: { pointer: /is_deleted, value: true }}, or a list of such; optional.
     * Bound as written (a list arrives keyed by its indexes), so that the value keeps its YAML type:
     * {@code true} and {@code "true"} are different markers. YAML's {@code null} (or an empty value)
     * is JSON null.
     */
    static DeleteMarkers deleteMarkers(FeedKeys keys, Map<String, Object> written) {
        String key = "source.delete-marker";
        if (written == null || written.isEmpty()) {
            return null;
        }
        if (!written.keySet().stream().allMatch(index -> index.matches("\\d+"))) {
            return new DeleteMarkers(List.of(marker(keys, key, written)));
        }
        List<DeleteMarkers.Marker> markers = new ArrayList<>();
        written.entrySet().stream().sorted(Comparator.comparingInt(item -> Integer.parseInt(item.getKey())))
                .forEach(item -> markers.add(marker(keys, key + "[" + item.getKey() + "]", item.getValue())));
        return new DeleteMarkers(markers);
    }

    private static DeleteMarkers.Marker marker(FeedKeys keys, String key, Object written) {
        if (!(written instanceof Map<?, ?> fields)) {
            throw keys.bad(key, "must be { pointer: /is_deleted, value: true } (a JSON pointer and the value there"
                    + " that marks a record deleted)");
        }
        for (Object field : fields.keySet()) {
            if (!"pointer".equals(field) && !"value".equals(field)) {
                throw keys.bad(key + "." + field, "unknown key (a delete marker has a pointer and a value)");
            }
        }
        Object pointer = fields.get("pointer");
        String checked = keys.pointer(key + ".pointer",
                keys.required(key + ".pointer", pointer == null ? null : pointer.toString()));
        return new DeleteMarkers.Marker(JsonPointer.compile(checked), markerValue(keys, key + ".value",
                fields.get("value")));
    }

    /** The marker's value as JSON: what YAML made of it (text from an environment variable stays text). */
    private static JsonNode markerValue(FeedKeys keys, String key, Object value) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        if (value == null) {
            throw keys.bad(key, "must be set (the JSON value that marks a record deleted: true, 1, \"removed\" or null)");
        }
        if (value instanceof String text) {
            // Spring reads YAML's null, ~ and an empty value alike, as ""
            return text.isEmpty() ? json.nullNode() : json.textNode(text);
        }
        if (value instanceof Boolean flag) {
            return json.booleanNode(flag);
        }
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            return json.numberNode(new BigInteger(value.toString()));
        }
        if (value instanceof Number number) {
            try {
                return json.numberNode(new BigDecimal(number.toString()));
            } catch (NumberFormatException notFinite) {
                throw keys.bad(key, "'" + number + "' is not a JSON number");
            }
        }
        throw keys.bad(key, "must be one JSON value (true, 1, \"removed\" or null), not an object or a list");
    }

}
