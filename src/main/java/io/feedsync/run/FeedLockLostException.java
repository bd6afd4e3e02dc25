package io.feedsync.run;

import org.springframework.dao.TransientDataAccessResourceException;

/**
 * The run's feed lock is gone: its database session ended (the database restarted, or the
 * connection broke), and PostgreSQL released the lock with it. Another run may start now, so this
 * one must stop; a later run picks up from the watermark.
 */
public class FeedLockLostException extends TransientDataAccessResourceException {

    public FeedLockLostException(String feed) {
        super("lost the lock of feed '" + feed + "': its database session ended");
    }
}
