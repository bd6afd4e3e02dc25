package io.feedsync.run;

import java.util.Comparator;
import java.util.function.Predicate;

/**
 * The cursors a run has seen: the highest among records stamped before the run started, and the
 * lowest among records that failed. From them and the feed's policy comes the watermark the run
 * leaves behind.
 * <p>
 * A record stamped while the run pages through does not count: the upstream may have changed
 * other records at the same time on pages the run had already read, with cursors just below it;
 * a watermark at its cursor would skip them for good. Left below, the next run fetches them all.
 */
public final class RunCursors {

    private final Comparator<String> order;
    private final Predicate<String> beforeRun;
    private String highest;
    private String lowestFailed;

    RunCursors(Comparator<String> order, Predicate<String> beforeRun) {
        this.order = order;
        this.beforeRun = beforeRun;
    }

    /** Carries on from what an earlier attempt of the run saw (a resumed run). */
    synchronized void resume(String highest, String lowestFailed) {
        this.highest = highest;
        this.lowestFailed = lowestFailed;
    }

    synchronized String highest() {
        return highest;
    }

    synchronized String lowestFailed() {
        return lowestFailed;
    }

    public synchronized void seen(String cursor) {
        if (!beforeRun.test(cursor)) {
            return;
        }
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
     * The watermark after a successful run: the highest cursor seen from before the run — or, when {@code pinToFailures}
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
