package io.feedsync.upstream;

/** Whether trying again later can help. */
public enum FailureClass {
    TRANSIENT,
    PERMANENT
}
