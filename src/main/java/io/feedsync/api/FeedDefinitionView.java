package io.feedsync.api;

import java.time.Instant;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/** A feed's definition as {@code GET /api/feeds/{feed}/definition} and {@code PUT /api/feeds/{feed}} answer it. */
@Schema(name = "FeedDefinition", description = "A feed's definition: the keys of feedsync.feeds.<name>, secrets masked")
public record FeedDefinitionView(
        @Schema(requiredMode = REQUIRED) String feed,
        @Schema(requiredMode = REQUIRED, allowableValues = {"config", "api"},
                description = "config: application.yaml (read only); api: defined over the API") String source,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "api feeds: the current version") Integer version,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "api feeds: the API key's or console user's name")
        String changedBy,
        @Schema(requiredMode = REQUIRED, nullable = true) Instant changedAt,
        @Schema(requiredMode = REQUIRED, description = "kebab-case keys as under feedsync.feeds.<name>; secrets are "
                + "${NAME} placeholders (api) or masked (config)", additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
        Map<String, Object> definition,
        @Schema(requiredMode = REQUIRED, description = "whether the feed is paused — a pause outlives a DELETE, so a feed "
                + "defined again under a paused name starts paused")
        PauseView pause) {
}
