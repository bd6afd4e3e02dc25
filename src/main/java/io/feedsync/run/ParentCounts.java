package io.feedsync.run;

import io.swagger.v3.oas.annotations.media.Schema;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/** How the parents of a child feed's run went. */
@Schema(description = "How the parents of a child feed's run went (source.for-each)")
public record ParentCounts(
        @Schema(requiredMode = REQUIRED, description = "the parents this run set out to fetch (a resumed run: from"
                + " where the run it resumed stopped)") long total,
        @Schema(requiredMode = REQUIRED, description = "parents whose pages were all read") long fetched,
        @Schema(requiredMode = REQUIRED, description = "parents whose URL answered 404 (for-each.on-not-found: skip)")
        long notFound,
        @Schema(requiredMode = REQUIRED, description = "parents whose requests failed, which failed the run") long failed) {
}
