package io.feedsync.api;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.feedsync.run.RunCounts;
import io.feedsync.run.RunRecord;

/** A run as the API shows it (SPEC §3). */
public record RunView(long runId, String feed, String status, String trigger, String mode, boolean dryRun,
                      int pages, RunCounts counts, Instant startedAt, Instant finishedAt, String watermark,
                      Map<String, Object> error, Map<String, List<String>> samples) {

    static RunView of(RunRecord run) {
        Map<String, Object> error = null;
        if (run.error() != null) {
            error = new LinkedHashMap<>();
            error.put("class", run.error().failureClass().name());
            error.put("message", run.error().message());
            error.put("httpStatus", run.error().httpStatus());
            error.put("url", run.error().url());
        }
        return new RunView(run.runId(), run.feed(), run.status().name(), run.trigger(), run.mode(), run.dryRun(),
                run.pages(), run.counts(), run.startedAt(), run.finishedAt(), run.watermark(), error, run.samples());
    }
}
