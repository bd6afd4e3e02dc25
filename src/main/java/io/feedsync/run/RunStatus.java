package io.feedsync.run;

/** Where a run stands. A run left RUNNING by a node that died becomes ABANDONED. */
public enum RunStatus {
    RUNNING,
    SUCCEEDED,
    FAILED,
    ABANDONED
}
