package io.feedsync.store;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Schema;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/** A record kept in {@code sync_dead_letter}, as the API shows it. */
@Schema(description = "An upstream record that could not be applied")
public record DeadLetter(
        @Schema(requiredMode = REQUIRED) long id,
        @Schema(requiredMode = REQUIRED) String feed,
        @Schema(requiredMode = REQUIRED) long runId,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "null when the record had no usable key") String key,
        @Schema(requiredMode = REQUIRED, description = "the record as the upstream sent it") JsonNode payload,
        @Schema(requiredMode = REQUIRED) String errorClass,
        @Schema(requiredMode = REQUIRED) String errorMessage,
        @Schema(requiredMode = REQUIRED) Instant createdAt,
        @Schema(requiredMode = REQUIRED, nullable = true) Instant replayedAt,
        @Schema(requiredMode = REQUIRED, nullable = true) Long replayRunId,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "a child feed's record: the for-each columns of"
                + " the parent row it was fetched for (a replay maps it with them); null for any other feed")
        Map<String, String> parent) {
}
