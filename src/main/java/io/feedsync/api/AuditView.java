package io.feedsync.api;

import java.time.Instant;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/** One operator action of the audit trail: who did what to which feed, and how it ended. */
@Schema(name = "AuditEntry", description = "One operator action, refused ones too")
public record AuditView(
        @Schema(requiredMode = REQUIRED) long id,
        @Schema(requiredMode = REQUIRED) Instant at,
        @Schema(requiredMode = REQUIRED, description = "the API key's or console user's name") String actor,
        @Schema(requiredMode = REQUIRED, allowableValues = {"run", "replay", "drift", "pause", "resume", "cancel", "define", "delete", "retry-delivery", "batch"})
        String action,
        @Schema(requiredMode = REQUIRED, nullable = true) String feed,
        @Schema(requiredMode = REQUIRED, nullable = true,
                description = "the request's body, every value under a name with password, token, key or secret masked; null without a body",
                additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
        Map<String, Object> request,
        @Schema(requiredMode = REQUIRED, description = "the HTTP status answered") int status,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "the run started, if any") Long runId,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "the batch of runs started (action batch), if any")
        Long batchId,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "the error code answered, if refused") String error) {
}
