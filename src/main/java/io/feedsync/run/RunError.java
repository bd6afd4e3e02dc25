package io.feedsync.run;

import io.feedsync.upstream.FailureClass;

/** Why a run failed, in words safe to store and show: no credentials, no tokens. */
public record RunError(FailureClass failureClass, String message, Integer httpStatus, String url) {
}
