package io.feedsync.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/**
 * The one shape of every error the API answers, from a route, a filter, Spring Security or an
 * unknown path: a stable code to branch on and a message for people.
 */
@Schema(name = "Error", description = "An error: a stable code to branch on and a message for people")
public record ApiError(
        @Schema(requiredMode = REQUIRED, example = "not_found", description = "bad_request, unauthorized, forbidden, "
                + "not_found, method_not_allowed, not_acceptable, feed_running, feed_paused, feed_configured, too_many_feeds, "
                + "run_finished, "
                + "payload_too_large, unsupported_media_type, internal, database_unavailable") String error,
        @Schema(requiredMode = REQUIRED, description = "what went wrong, and what to change") String message,
        @Schema(description = "feed_running: the run in the way; run_finished: the run that had already ended")
        @JsonInclude(JsonInclude.Include.NON_NULL) Long runId,
        @Schema(description = "a refused feed definition only: every problem, each naming its key")
        @JsonInclude(JsonInclude.Include.NON_NULL) java.util.List<String> problems) {

    public ApiError(String error, String message, Long runId) {
        this(error, message, runId, null);
    }

    public static ApiError of(String error, String message) {
        return new ApiError(error, message, null, null);
    }
}
