package io.feedsync.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** The body of a POST that takes no options (a replay, a drift check) as the OpenAPI document shows it: none, or {@code {}}. */
@Schema(description = "No body, or an empty object", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
public record NoOptions() {
}
