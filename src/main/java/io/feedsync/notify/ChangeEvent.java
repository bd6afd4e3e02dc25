package io.feedsync.notify;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.oas.annotations.media.Schema;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/**
 * One change a run applied to a feed's target table, as delivered and as the API shows it. The id
 * is stable (receivers can be idempotent on it) and grows with every event of every feed.
 */
@Schema(description = "A change a run applied to the feed's table: the row after it (for deleted, the row before)")
public record ChangeEvent(
        @Schema(requiredMode = REQUIRED, description = "the event's id: stable, and increasing in the order of the changes")
        long id,
        @Schema(requiredMode = REQUIRED) String feed,
        @Schema(requiredMode = REQUIRED, description = "the run that applied the change") long runId,
        @Schema(requiredMode = REQUIRED, allowableValues = {"inserted", "updated", "deleted", "revived"}) String op,
        @Schema(requiredMode = REQUIRED, description = "the row's key; the values of a composite key joined by '|'")
        String key,
        @Schema(requiredMode = REQUIRED, description = "the target row, column by column") JsonNode row,
        @Schema(requiredMode = REQUIRED) Instant at) {

    /** The events of a feed after an id, oldest first: parameters feed, id, limit; read with {@link #of}. */
    static final String AFTER = "select id, feed, run_id, op, record_key, row::text as row, at from sync_change"
            + " where feed = ? and id > ? order by id limit ?";

    private static final ObjectMapper JSON = new ObjectMapper();

    static ChangeEvent of(ResultSet row, int n) throws SQLException {
        try {
            return new ChangeEvent(row.getLong("id"), row.getString("feed"), row.getLong("run_id"), row.getString("op"),
                    row.getString("record_key"), JSON.readTree(row.getString("row")), row.getTimestamp("at").toInstant());
        } catch (JsonProcessingException e) {
            throw new SQLException("sync_change " + row.getLong("id") + ": its row is no JSON", e);
        }
    }
}
