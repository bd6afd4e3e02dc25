package io.feedsync.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.swagger.v3.oas.annotations.media.Schema;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.NOT_REQUIRED;

/**
 * The body of {@code POST /api/runs}, bound by the REST binding ({@link ApiJson}); which of feeds and
 * tag, and what they name, ApiRequests decides. Neither may be null: a null is not a list, nor a tag.
 */
@Schema(description = "Which feeds to run — exactly one of feeds and tag — and how; no other field allowed",
        additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
public record BatchOptions(
        @Schema(requiredMode = NOT_REQUIRED, description = "the feeds to run, by name, each once (at most 1000); "
                + "a name that is not a feed the caller sees gets the entry reason not_found")
        @ApiJson.NotNull @JsonSetter(contentNulls = Nulls.FAIL) List<String> feeds,
        @Schema(requiredMode = NOT_REQUIRED, description = "run every feed the caller sees that carries this tag "
                + "(tags: [...]), in the order GET /api/feeds lists them") @ApiJson.NotNull String tag,
        @Schema(allowableValues = {"incremental", "full"}, nullable = true, description = "default: each feed's mode")
        String mode,
        @Schema(nullable = true, description = "count what would change and write nothing; default false") Boolean dryRun,
        @Schema(nullable = true, description = "go past the deletion guard; default false") Boolean confirm) {
}
