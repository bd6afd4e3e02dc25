package io.feedsync.store;

import java.util.concurrent.atomic.AtomicLong;

import io.feedsync.config.FeedDefinition;
import io.feedsync.config.RunMode;

/**
 * What the store knows of the run it writes for, carried through the sync route as the exchange
 * property {@value #PROPERTY}: which run, which feed, what was asked (mode, dry run, drift check,
 * replay, confirm), what the store itself learns on the way — records rejected before their key
 * was known — and the write failure that stops the run's later chunks (recorded by the run when it
 * folds the writer's outcome, read by the writer).
 */
public final class StoreRun {

    public static final String PROPERTY = "feedsyncStoreRun";
    /**
     * The exchange property holding the run's final transaction (a {@code JdbcTemplate} on the
     * feed lock's session): the soft-deletes are written in it, and committed with the run's row.
     */
    public static final String FINAL_TRANSACTION = "feedsyncFinalTransaction";

    private final long runId;
    private final FeedDefinition feed;
    private final RunMode mode;
    private final boolean dryRun;
    private final boolean drift;
    private final boolean replay;
    private final boolean confirm;
    private final boolean lettersWaiting;
    private final AtomicLong keylessRejections = new AtomicLong();
    private volatile boolean keysSeen;
    private volatile RuntimeException writeFailure;

    /**
     * {@code lettersWaiting}: whether dead letters of the feed with a key waited when the run
     * started (its writes may settle them).
     */
    public StoreRun(long runId, FeedDefinition feed, RunMode mode, boolean dryRun, boolean drift, boolean replay,
                    boolean confirm, boolean lettersWaiting) {
        this.runId = runId;
        this.feed = feed;
        this.mode = mode;
        this.dryRun = dryRun;
        this.drift = drift;
        this.replay = replay;
        this.confirm = confirm;
        this.lettersWaiting = lettersWaiting;
    }

    public long runId() {
        return runId;
    }

    public FeedDefinition feed() {
        return feed;
    }

    public boolean full() {
        return mode == RunMode.FULL;
    }

    public boolean dryRun() {
        return dryRun;
    }

    /** A drift check: a dry full run that compares, whatever the feed's soft-delete. */
    public boolean drift() {
        return drift;
    }

    /** A replay of dead letters. */
    public boolean replay() {
        return replay;
    }

    /** Whether the caller confirmed past the deletion guard. */
    public boolean confirm() {
        return confirm;
    }

    public boolean lettersWaiting() {
        return lettersWaiting;
    }

    /** Whether the run must remember the keys it sees: a full run with soft-delete, or a drift check. */
    public boolean seesKeys() {
        return full() && (feed.target().softDeleteColumn() != null || drift);
    }

    /**
     * Whether the run's changes make change events ({@link ChangeOutbox}): the feed has a
     * {@code notify} section, and the run writes (a dry run's writes are taken back).
     */
    public boolean recordsChanges() {
        return feed.notifications() != null && !dryRun && !drift;
    }

    /** Whether this run (or an attempt it resumes) has recorded keys it saw. */
    public boolean keysSeen() {
        return keysSeen;
    }

    public void keysSeen(boolean seen) {
        keysSeen |= seen;
    }

    /** Records an earlier attempt of the run (which this one resumes) rejected before their key was known. */
    public void keylessRejections(long earlier) {
        keylessRejections.addAndGet(earlier);
    }

    /** A record dead-lettered before its key was known: a full run cannot tell which row it was. */
    public void keylessRejection() {
        keylessRejections.incrementAndGet();
    }

    public long keylessRejections() {
        return keylessRejections.get();
    }

    /**
     * The first write that failed (not for its data): the run's later chunks are skipped, and the run
     * fails. Volatile: recorded on the writer's thread, read on the run's.
     */
    public void writeFailed(RuntimeException failure) {
        if (writeFailure == null) {
            writeFailure = failure;
        }
    }

    public RuntimeException writeFailure() {
        return writeFailure;
    }

    @Override
    public String toString() {
        return "run " + runId + " of feed " + feed.name();
    }
}
