package io.feedsync.api;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.NOT_REQUIRED;

/**
 * The body of {@code POST /api/runs} as the OpenAPI document shows it. BatchRuns reads the body
 * itself, field by field, to answer 400 with what is wrong.
 */
@Schema(description = "Which feeds to run — exactly one of feeds and tag — and how; no other field allowed",
        additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
public record BatchOptions(
        @Schema(requiredMode = NOT_REQUIRED, description = "the feeds to run, by name, each once (at most 1000); "
                + "a name that is not a feed the caller sees gets the entry reason not_found") List<String> feeds,
        @Schema(requiredMode = NOT_REQUIRED, description = "run every feed the caller sees that carries this tag "
                + "(tags: [...]), in the order GET /api/feeds lists them") String tag,
        @Schema(allowableValues = {"incremental", "full"}, nullable = true, description = "default: each feed's mode")
        String mode,
        @Schema(nullable = true, description = "count what would change and write nothing; default false") Boolean dryRun,
        @Schema(nullable = true, description = "go past the deletion guard; default false") Boolean confirm) {
}
