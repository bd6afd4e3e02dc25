package io.feedsync.store;

import io.feedsync.config.FeedConfigException;

/** A feed's target table does not exist (yet): that feed cannot run, the others go on. */
public class TargetTableMissingException extends FeedConfigException {

    public TargetTableMissingException(String key, String problem) {
        super(key, problem);
    }
}
