package io.feedsync.api;

import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;

import io.feedsync.run.FeedPause;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/** Whether a feed is paused, and since when, by whom and why. */
@Schema(name = "FeedPause", description = "A feed's pause: while paused, no node starts a run of it")
public record PauseView(
        @Schema(requiredMode = REQUIRED) String feed,
        @Schema(requiredMode = REQUIRED) boolean paused,
        @Schema(requiredMode = REQUIRED, nullable = true) Instant pausedAt,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "the API key's or console user's name")
        String pausedBy,
        @Schema(requiredMode = REQUIRED, nullable = true) String reason) {

    static PauseView of(String feed, FeedPause pause) {
        return pause == null ? new PauseView(feed, false, null, null, null)
                : new PauseView(feed, true, pause.pausedAt(), pause.pausedBy(), pause.reason());
    }
}
