package io.feedsync.api;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/** One version of a feed defined over the API: who changed what, and when. */
@Schema(name = "FeedVersion", description = "One change of a feed defined over the API")
public record FeedVersionView(
        @Schema(requiredMode = REQUIRED) String feed,
        @Schema(requiredMode = REQUIRED) int version,
        @Schema(requiredMode = REQUIRED, allowableValues = {"created", "changed", "deleted"}) String change,
        @Schema(requiredMode = REQUIRED, description = "the API key's or console user's name") String changedBy,
        @Schema(requiredMode = REQUIRED) Instant changedAt,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "the definition as sent; null for a deletion",
                additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
        Map<String, Object> definition,
        @Schema(description = "DELETE of a paused feed only: its pause, which the deletion leaves in place — a "
                + "feed defined again under this name starts paused until it is resumed")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        PauseView pause) {

    FeedVersionView(String feed, int version, String change, String changedBy, Instant changedAt,
                    Map<String, Object> definition) {
        this(feed, version, change, changedBy, changedAt, definition, null);
    }
}
