package io.feedsync.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

import io.feedsync.run.RunCounts;
import io.feedsync.run.RunError;
import io.feedsync.run.RunRange;
import io.feedsync.run.ParentCounts;
import io.feedsync.run.RunRecord;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/** A run as the API shows it. */
@Schema(description = "A run: QUEUED while it waits for a slot of its node, live counts while RUNNING, its outcome once finished (SKIPPED: when its turn came its feed was taken by a command-line run, or paused or deleted; CANCELLED: an operator cancelled it, its checkpoint kept for the feed's next run)")
public record RunView(
        @Schema(requiredMode = REQUIRED) long runId,
        @Schema(requiredMode = REQUIRED) String feed,
        @Schema(requiredMode = REQUIRED, allowableValues = {"QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "ABANDONED", "SKIPPED", "CANCELLED"}) String status,
        @Schema(requiredMode = REQUIRED, allowableValues = {"timer", "rest", "cli", "replay", "drift", "parent"},
                description = "parent: after a successful run of its parent feed (source.for-each.after-parent)") String trigger,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "who started the run: the API key's or console "
                + "user's name (rest, replay, drift), or timer, cli; null for runs recorded before feedsync kept it")
        String triggeredBy,
        @Schema(requiredMode = REQUIRED, allowableValues = {"incremental", "full"}) String mode,
        @Schema(requiredMode = REQUIRED) boolean dryRun,
        @Schema(requiredMode = REQUIRED) int pages,
        @Schema(requiredMode = REQUIRED) RunCounts counts,
        @Schema(requiredMode = REQUIRED) Instant startedAt,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "null while QUEUED or RUNNING") Instant finishedAt,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "the feed's watermark when the run finished")
        String watermark,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "why the run failed, was abandoned, skipped or cancelled; null otherwise")
        Failure error,
        @Schema(requiredMode = REQUIRED, nullable = true,
                description = "sample keys by outcome (inserted, updated, unchanged, deleted, deadLettered); null while QUEUED or RUNNING")
        Map<String, List<String>> samples,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "the unfinished run this one resumed from "
                + "its checkpoint (its counts are this run's own pages only); null when it started from the first page")
        Long resumedFrom,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "the cursor range of a selective run "
                + "(started with since, and perhaps until); null for a run from the watermark") Range range,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "when the run was asked to cancel (POST "
                + "/api/runs/{id}/cancel, pausing or deleting its feed, JMX, Ctrl-C); a RUNNING run ends CANCELLED "
                + "at its next page or retry wait; null unless asked") Instant cancelRequestedAt,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "who asked to cancel it: the API key's or "
                + "console user's name, the JMX user, cli; null unless asked") String cancelRequestedBy,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "a child feed's run (source.for-each): how its"
                + " parents went; null for any other feed") ParentCounts parents) {

    /** The cursor range a selective run covered. */
    @Schema(name = "RunRange", description = "The cursor range a selective run covered, in the feed's cursor format")
    public record Range(
            @Schema(requiredMode = REQUIRED, description = "records with a cursor at or after this were applied") String since,
            @Schema(requiredMode = REQUIRED, nullable = true,
                    description = "records with a cursor after this were left alone (counted unchanged); null: no end")
            String until) {

        static Range of(RunRange range) {
            return range == null ? null : new Range(range.since(), range.until());
        }
    }

    /** Why a run failed. */
    @Schema(name = "RunFailure", description = "Why a run failed")
    public record Failure(
            @Schema(requiredMode = REQUIRED, allowableValues = {"TRANSIENT", "PERMANENT"}) @JsonProperty("class")
            String failureClass,
            @Schema(requiredMode = REQUIRED) String message,
            @Schema(requiredMode = REQUIRED, nullable = true, description = "the upstream's HTTP status, if it answered one")
            Integer httpStatus,
            @Schema(requiredMode = REQUIRED, nullable = true, description = "the page being read, secrets masked") String url) {

        static Failure of(RunError error) {
            return error == null ? null
                    : new Failure(error.failureClass().name(), error.message(), error.httpStatus(), error.url());
        }
    }

    static RunView of(RunRecord run) {
        return new RunView(run.runId(), run.feed(), run.status().name(), run.trigger(), run.triggeredBy(), run.mode(),
                run.dryRun(),
                run.pages(), run.counts(), run.startedAt(), run.finishedAt(), run.watermark(), Failure.of(run.error()),
                run.samples(), run.resumedFrom(), Range.of(run.range()), run.cancelRequestedAt(), run.cancelRequestedBy(),
                run.parents());
    }
}
