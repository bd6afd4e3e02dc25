package io.feedsync.api;

import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

import io.feedsync.run.RunBatches;
import io.feedsync.run.RunStatus;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/** A batch of runs started together, as {@code POST /api/runs} and {@code GET /api/batches/{id}} show it. */
@Schema(name = "Batch", description = "Runs started together: one entry per feed, its run and the run's status now, "
        + "or why it did not start")
public record BatchView(
        @Schema(requiredMode = REQUIRED) long batchId,
        @Schema(requiredMode = REQUIRED) Instant createdAt,
        @Schema(requiredMode = REQUIRED, description = "the API key's or console user's name") String createdBy,
        @Schema(requiredMode = REQUIRED, description = "true once no run of the batch is QUEUED or RUNNING") boolean finished,
        @Schema(requiredMode = REQUIRED) List<Entry> entries) {

    @Schema(name = "BatchEntry", description = "One feed of a batch: runId and status, or reason")
    public record Entry(
            @Schema(requiredMode = REQUIRED) String feed,
            @Schema(requiredMode = REQUIRED, nullable = true, description = "the run started; null when none did")
            Long runId,
            @Schema(requiredMode = REQUIRED, nullable = true, description = "the run's status now; null when none started",
                    allowableValues = {"QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "ABANDONED", "SKIPPED", "CANCELLED"}) String status,
            @Schema(requiredMode = REQUIRED, nullable = true, allowableValues = {"running", "paused", "not_found"},
                    description = "why no run started: the feed was queued or running already, paused, or is no feed "
                            + "the caller sees; null when one started") String reason) {
    }

    static BatchView of(RunBatches.Batch batch) {
        List<Entry> entries = batch.entries().stream().map(entry -> new Entry(entry.feed(), entry.runId(),
                entry.status() == null ? null : entry.status().name(), entry.reason())).toList();
        boolean finished = batch.entries().stream()
                .noneMatch(entry -> entry.status() == RunStatus.QUEUED || entry.status() == RunStatus.RUNNING);
        return new BatchView(batch.id(), batch.createdAt(), batch.createdBy(), finished, entries);
    }
}
