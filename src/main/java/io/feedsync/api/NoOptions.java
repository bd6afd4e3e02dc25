package io.feedsync.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** The body of a POST that takes no options (a replay, a drift check, …): none, or {@code {}}, bound by the REST binding ({@link ApiJson}). */
@Schema(description = "No body, or an empty object", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
public record NoOptions() {
}
