package io.feedsync.api;

import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedConfigException;
import io.feedsync.config.TooManyFeedsException;
import io.feedsync.config.UnknownFeedException;
import io.feedsync.run.FeedBusyException;
import io.feedsync.run.FeedPausedException;
import io.feedsync.run.RunFinishedException;
import io.feedsync.store.DatabaseFailure;

/** Maps a failed API route (routeConfiguration api, routes/api-routes.yaml) to its status code and an {@link ApiError}. */
@Component("apiErrors")
public class ApiErrors {

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    public ApiError error(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int status;
        ApiError body;
        if (failure instanceof FeedConfigException refused) {
            status = 400;
            List<String> problems = refused.problems().stream().map(Throwable::getMessage).toList();
            body = new ApiError("bad_request", "the feed's definition is refused: " + String.join("; ", problems),
                    null, problems);
        } else if (failure instanceof TooManyFeedsException) {
            status = 409;
            body = ApiError.of("too_many_feeds", failure.getMessage());
        } else if (failure instanceof FeedConfiguredException) {
            status = 409;
            body = ApiError.of("feed_configured", failure.getMessage());
        } else if (failure instanceof FeedHasChildrenException) {
            status = 409;
            body = ApiError.of("feed_has_children", failure.getMessage());
        } else if (failure instanceof BadRequestException) {
            status = 400;
            body = ApiError.of("bad_request", failure.getMessage());
        } else if (failure instanceof UnknownFeedException || failure instanceof NotFoundException) {
            status = 404;
            body = ApiError.of("not_found", failure.getMessage());
        } else if (failure instanceof FeedBusyException busy) {
            status = 409;
            body = new ApiError("feed_running", failure.getMessage(), busy.runningRunId());
        } else if (failure instanceof RunFinishedException finished) {
            status = 409;
            body = new ApiError("run_finished", failure.getMessage(), finished.runId());
        } else if (failure instanceof FeedPausedException) {
            status = 409;
            body = ApiError.of("feed_paused", failure.getMessage());
        } else if (DatabaseFailure.isTransient(failure)) {
            status = 503;
            body = ApiError.of("database_unavailable", "the database is unavailable or busy; try again shortly");
            log.warn("API call failed: the database is unavailable or busy ({})", failure.getMessage());
        } else {
            status = 500;
            body = ApiError.of("internal", "internal error; see the feedsync log");
            log.error("API call failed", failure);
        }
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        return body;
    }
}
