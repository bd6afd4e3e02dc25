package io.feedsync.run;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The record counts of a run. {@code pendingDeletes}: rows a complete full run did not see but
 * left in place, since fewer consecutive full runs than {@code target.soft-delete-after} missed them.
 */
public record RunCounts(long fetched, long inserted, long updated, long unchanged, long deleted, long deadLettered,
                        @Schema(description = "rows this full run did not see but did not soft-delete yet: missed by "
                                + "fewer consecutive complete full runs than target.soft-delete-after (a dry run: "
                                + "would leave so)") long pendingDeletes) {
}
