package io.feedsync.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

import io.feedsync.run.RunCounts;
import io.feedsync.run.RunRecord;
import io.feedsync.run.RunStatus;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/**
 * A drift check as the API shows it: while RUNNING only its identity; once SUCCEEDED what the table
 * lacks, has extra and holds differently from the upstream, with sample keys; once FAILED why.
 */
@Schema(name = "Drift", description = "A drift check: the upstream compared with the table, nothing written. "
        + "The comparison fields are null unless status is SUCCEEDED; error is null unless it is FAILED, ABANDONED, SKIPPED or CANCELLED")
public record DriftView(
        @Schema(requiredMode = REQUIRED) String feed,
        @Schema(requiredMode = REQUIRED) long runId,
        @Schema(requiredMode = REQUIRED, allowableValues = {"QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "ABANDONED", "SKIPPED", "CANCELLED"}) String status,
        @Schema(requiredMode = REQUIRED) Instant startedAt,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "when the check finished") Instant checkedAt,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "records read from the upstream")
        Long upstreamRecords,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "missingLocally + extraLocally + different")
        Long drift,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "in the upstream, not in the table")
        Keys missingLocally,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "in the table, not in the upstream")
        Keys extraLocally,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "in both, with different values") Keys different,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "in both, the same") Long same,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "upstream records that could not be transformed")
        Keys invalid,
        @Schema(requiredMode = REQUIRED, nullable = true) RunView.Failure error) {

    /** How many keys, and some of them. */
    @Schema(name = "DriftKeys", description = "How many keys, and a sample of them")
    public record Keys(@Schema(requiredMode = REQUIRED) long count,
                       @Schema(requiredMode = REQUIRED) List<String> sample) {

        static Keys of(long count, Map<String, List<String>> samples, String outcome) {
            return new Keys(count, samples == null ? List.of() : samples.getOrDefault(outcome, List.of()));
        }
    }

    static DriftView of(RunRecord run) {
        RunView.Failure error = RunView.Failure.of(run.error());
        Instant startedAt = run.startedAt();
        if (run.status() != RunStatus.SUCCEEDED) {
            return new DriftView(run.feed(), run.runId(), run.status().name(), startedAt, run.finishedAt(),
                    null, null, null, null, null, null, null, error);
        }
        RunCounts counts = run.counts();
        Map<String, List<String>> samples = run.samples();
        return new DriftView(run.feed(), run.runId(), run.status().name(), startedAt, run.finishedAt(),
                counts.fetched(), counts.inserted() + counts.updated() + counts.deleted(),
                Keys.of(counts.inserted(), samples, "inserted"), Keys.of(counts.deleted(), samples, "deleted"),
                Keys.of(counts.updated(), samples, "updated"), counts.unchanged(),
                Keys.of(counts.deadLettered(), samples, "deadLettered"), error);
    }
}
