package io.feedsync.api;

/**
 * The body of {@code PUT /api/feeds/{feed}} in the OpenAPI document: its schema is
 * {@link io.feedsync.config.FeedJsonSchema}'s, put there by {@link FeedDefinitionSchema}.
 */
public record FeedDefinitionBody() {
}
