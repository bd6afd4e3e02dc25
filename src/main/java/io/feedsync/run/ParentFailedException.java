package io.feedsync.run;

import io.feedsync.upstream.UpstreamException;

/**
 * A parent of a child feed's run whose requests failed after their retries, which fails the run, as
 * the upstream's failure (its class, status and URL) named after the parent. Not a page failure itself:
 * the sync route's error policy does not try the parents again, each parent's requests were retried
 * in the parent's route.
 */
public class ParentFailedException extends UpstreamException {

    public ParentFailedException(String parent, UpstreamException cause) {
        super(cause.failureClass(), cause.httpStatus(), cause.url(), parent + ": " + cause.getMessage());
        initCause(cause);
    }
}
