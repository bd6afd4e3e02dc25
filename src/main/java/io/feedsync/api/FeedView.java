package io.feedsync.api;

import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/** A feed as {@code GET /api/feeds} shows it. */
@Schema(name = "Feed", description = "A feed: its schedule, mode, target, last run, watermark, pause and tags")
public record FeedView(
        @Schema(requiredMode = REQUIRED) String feed,
        @Schema(requiredMode = REQUIRED, allowableValues = {"config", "api"},
                description = "config: defined in application.yaml; api: defined over the API") String source,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "Quartz cron; null for a feed run only on demand")
        String schedule,
        @Schema(requiredMode = REQUIRED, nullable = true) Instant nextFire,
        @Schema(requiredMode = REQUIRED, allowableValues = {"incremental", "full"}) String mode,
        @Schema(requiredMode = REQUIRED, description = "the target table") String target,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "the newest run; null before the first")
        RunView lastRun,
        @Schema(requiredMode = REQUIRED, nullable = true) String watermark,
        @Schema(requiredMode = REQUIRED, description = "paused feeds start no run on any node") PauseView pause,
        @Schema(requiredMode = REQUIRED, description = "the feed's tags (tags: [...]): POST /api/runs {\"tag\": …} runs "
                + "the feeds that carry one, and an API key scoped with tags sees them; empty when it has none")
        List<String> tags) {
}
