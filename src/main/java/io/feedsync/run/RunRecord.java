package io.feedsync.run;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A run as stored in {@code sync_run}; {@code resumedFrom}: the unfinished run it resumed, if any;
 * {@code range}: a selective run's since..until, null for a run from the watermark; {@code triggeredBy}:
 * who started it (null for runs recorded before feedsync kept it); {@code cancelRequestedAt} / {@code By}:
 * when and by whom it was asked to cancel, null unless it was; {@code parents}: a child feed's parent counts
 * (null for any other feed).
 */
public record RunRecord(long runId, String feed, RunStatus status, String trigger, String mode, boolean dryRun,
                        int pages, RunCounts counts, Instant startedAt, Instant finishedAt, String watermark,
                        RunError error, Map<String, List<String>> samples, Long resumedFrom,
                        RunRange range, String triggeredBy, Instant cancelRequestedAt, String cancelRequestedBy,
                        ParentCounts parents) {
}
