package io.feedsync.run;

import java.io.IOException;
import java.sql.SQLException;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.feedsync.config.FeedConfigException;
import io.feedsync.store.DatabaseFailure;
import io.feedsync.store.RunRefusedException;
import io.feedsync.upstream.FailureClass;
import io.feedsync.upstream.UpstreamException;

/** Names the failure of a run: transient (worth retrying later) or permanent, and why. */
public final class RunErrors {

    private RunErrors() {
    }

    public static RunError classify(Throwable failure, String pageUrl) {
        for (Throwable cause : DatabaseFailure.causes(failure)) {
            if (cause instanceof RunRefusedException refused) {
                return new RunError(FailureClass.PERMANENT, refused.getMessage(), null, null);
            }
            if (cause instanceof NodeStoppingException stopping) {
                return new RunError(FailureClass.TRANSIENT, stopping.getMessage(), null, null);
            }
            if (cause instanceof FeedConfigException config) {
                return new RunError(FailureClass.PERMANENT, config.getMessage(), null, null);
            }
            if (cause instanceof UpstreamException upstream) {
                return new RunError(upstream.failureClass(), upstream.getMessage(), upstream.httpStatus(), upstream.url());
            }
            if (cause instanceof IOException io && !(io instanceof JsonProcessingException)) {
                return new RunError(FailureClass.TRANSIENT, "upstream unreachable: " + describe(io), null, pageUrl);
            }
            if (cause instanceof SQLException refused && DatabaseFailure.isRefused(refused)) {
                return new RunError(FailureClass.PERMANENT, "the database refused the write: " + describe(refused),
                        null, null);
            }
            if (DatabaseFailure.isTransient(cause)) {
                return new RunError(FailureClass.TRANSIENT,
                        "database unavailable or busy: " + describe(DatabaseFailure.original(cause)), null, null);
            }
        }
        return new RunError(FailureClass.PERMANENT, describe(failure), null, null);
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        return message == null ? failure.getClass().getSimpleName() : failure.getClass().getSimpleName() + ": " + message;
    }
}
