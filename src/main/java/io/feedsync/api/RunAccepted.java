package io.feedsync.api;

import io.swagger.v3.oas.annotations.media.Schema;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/** The answer to a run (or drift check, or replay) just started: follow it at the answer's Location. */
@Schema(description = "A run just started; the answer's Location says where to follow it")
public record RunAccepted(
        @Schema(requiredMode = REQUIRED) long runId,
        @Schema(requiredMode = REQUIRED) String feed,
        @Schema(requiredMode = REQUIRED, allowableValues = "QUEUED", description = "QUEUED: the run waits for a slot of its node (feedsync.max-concurrent-runs), at once RUNNING when one is free") String status) {
}
