package io.feedsync.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The body of {@code PUT /api/feeds/{feed}}: the JSON sent, as the REST binding ({@link ApiJson}) read
 * it; the feed's validation says what a definition must be. In the OpenAPI document its schema is
 * {@link io.feedsync.config.FeedJsonSchema}'s, put there by {@link FeedDefinitionSchema}.
 */
public record FeedDefinitionBody(@Schema(hidden = true) JsonNode definition) {
}
