package io.feedsync.upstream;

import java.util.List;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code source.delete-marker}: how an upstream says a record is deleted, as a flag on the record
 * ({@code is_deleted: true}, {@code status: "removed"}). A record carrying any of the markers
 * soft-deletes its row. A marker matches when the record holds a JSON value equal to the marker's
 * at its pointer: {@code true} is not {@code "true"}, numbers compare by value ({@code 1} is
 * {@code 1.0}), and a {@code null} marker matches an explicit null, not an absent field.
 */
public record DeleteMarkers(List<Marker> markers) {

    /** One marker: the value at {@code pointer} that flags a record as deleted. */
    public record Marker(JsonPointer pointer, JsonNode value) {

        boolean marks(JsonNode record) {
            JsonNode found = record.at(pointer);
            if (found.isMissingNode()) {
                return false;
            }
            if (found.isNumber() && value.isNumber()) {
                return found.decimalValue().compareTo(value.decimalValue()) == 0;
            }
            return found.equals(value);
        }

        @Override
        public String toString() {
            return pointer + " = " + value;
        }
    }

    public DeleteMarkers {
        markers = List.copyOf(markers);
    }

    /** Whether the record carries one of the markers. */
    public boolean marks(JsonNode record) {
        for (Marker marker : markers) {
            if (marker.marks(record)) {
                return true;
            }
        }
        return false;
    }
}
