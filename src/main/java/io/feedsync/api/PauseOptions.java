package io.feedsync.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** The optional body of {@code POST /api/feeds/{feed}/pause}, bound by the REST binding ({@link ApiJson}). */
@Schema(description = "Why the feed is paused (optional)")
public record PauseOptions(@Schema(maxLength = 500) String reason) {
}
