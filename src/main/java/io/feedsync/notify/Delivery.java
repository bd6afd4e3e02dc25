package io.feedsync.notify;

import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/** One endpoint of a feed's {@code notify.changes}. */
@Schema(description = "Where one endpoint of the feed's notify.changes stands")
public record Delivery(
        @Schema(requiredMode = REQUIRED, description = "the endpoint's URI, secrets masked") String endpoint,
        @Schema(requiredMode = REQUIRED, description = "the id of the last event it took (0: none yet)") long position,
        @Schema(requiredMode = REQUIRED, description = "events waiting for it") long pending,
        @Schema(requiredMode = REQUIRED, description = "age in seconds of the oldest event waiting (0: none waits)")
        double lagSeconds,
        @Schema(requiredMode = REQUIRED, description = "failed attempts in a row") int attempts,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "why the last attempt failed; null after a success")
        String lastError,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "when its position or error last changed")
        Instant updatedAt) {
}
