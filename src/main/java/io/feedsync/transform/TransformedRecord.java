package io.feedsync.transform;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** An upstream record with the rows it became and the key that identifies it in the feed's table. */
public record TransformedRecord(String key, List<TargetRow> rows, JsonNode source) {
}
