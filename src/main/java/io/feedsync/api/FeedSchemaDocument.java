package io.feedsync.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** The answer of {@code GET /api/schema/feed} as the OpenAPI document shows it. */
@Schema(name = "FeedSchemaDocument", description = "A JSON Schema (2020-12) of a feed definition: $schema, title,"
        + " type, properties (each key with its type, default, allowed values and description), required,"
        + " additionalProperties. The same schema as FeedDefinitionBody",
        additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
public record FeedSchemaDocument() {
}
