package io.feedsync.run;

import java.util.Comparator;

/**
 * The cursors a run has seen: the highest, and the lowest among records that failed. From them
 * and the feed's policy comes the watermark the run leaves behind.
 */
public final class RunCursors {

    private final Comparator<String> order;
    private String highest;
    private String lowestFailed;

    RunCursors(Comparator<String> order) {
        this.order = order;
    }

    public synchronized void seen(String cursor) {
        if (highest == null || order.compare(cursor, highest) > 0) {
            highest = cursor;
        }
    }

    public synchronized void failed(String cursor) {
        if (lowestFailed == null || order.compare(cursor, lowestFailed) < 0) {
            lowestFailed = cursor;
        }
    }

    /**
     * The watermark after a successful run: the highest cursor seen — or, when {@code pinToFailures}
     * and a record failed, no further than that record's cursor — and never below {@code current}.
     */
    public synchronized String next(String current, boolean pinToFailures) {
        String candidate = highest;
        if (pinToFailures && lowestFailed != null && (candidate == null || order.compare(lowestFailed, candidate) < 0)) {
            candidate = lowestFailed;
        }
        if (candidate == null) {
            return current;
        }
        return current == null || order.compare(candidate, current) > 0 ? candidate : current;
    }
}
