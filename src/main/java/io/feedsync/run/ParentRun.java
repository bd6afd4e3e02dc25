package io.feedsync.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.feedsync.upstream.ForEach;
import io.feedsync.upstream.Parent;

/**
 * The parents of a child feed's run: how many it set out to fetch and how they went, the permits
 * that keep at most {@code for-each.concurrency} of them in flight, the first failure (which stops the
 * run), the parents fetched whole (for a full run's soft-deletes), and where a later run resumes: after
 * the last parent of the longest run of parents, in key order, that are done and written.
 */
public final class ParentRun {

    private final ForEach forEach;
    private final Semaphore inFlight;
    /** Where the run starts: after this parent's key (a resumed run), or from the first (null). */
    private final List<String> resumeAfter;
    /** The oldest transaction in flight when the run (or the run it resumes) began; null until known. */
    private volatile String xmin;
    private volatile long total;
    private final AtomicLong fetched = new AtomicLong();
    private final AtomicLong notFound = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    private long dispatched;
    /** Parents handed out and not yet committed, by ordinal: their last key, and the chunks queued when they ended. */
    private final TreeMap<Long, Slot> open = new TreeMap<>();
    private List<String> committedThrough;
    private boolean moved;
    /** Parents fetched whole and not yet recorded ({@code for-each.columns} values, in that order). */
    private final List<List<String>> seen = new ArrayList<>();

    private static final class Slot {
        final List<String> lastKey;
        long endMark = -1;
        /** Its parents, once they were fetched whole: recorded as seen when the slot commits. */
        List<Parent> whole = List.of();

        Slot(List<String> lastKey) {
            this.lastKey = lastKey;
        }
    }

    ParentRun(ForEach forEach, List<String> resumeAfter, String xmin) {
        this.forEach = forEach;
        this.inFlight = new Semaphore(forEach.concurrency());
        this.resumeAfter = resumeAfter;
        this.committedThrough = resumeAfter;
        this.xmin = xmin;
    }

    public ForEach forEach() {
        return forEach;
    }

    public List<String> resumeAfter() {
        return resumeAfter;
    }

    public String xmin() {
        return xmin;
    }

    void xmin(String xmin) {
        this.xmin = xmin;
    }

    void total(long total) {
        this.total = total;
    }

    public ParentCounts counts() {
        return new ParentCounts(total, fetched.get(), notFound.get(), failed.get());
    }

    /**
     * Takes a place for the next request chain, waiting while {@code concurrency} are in flight; false when
     * the run is to stop ({@code stopping}) before one came free.
     */
    boolean acquire(java.util.function.BooleanSupplier stopping, Runnable whileFull) {
        try {
            // a parent that takes long (retries, many pages) holds the checkpoint back: the parents done after it
            // are remembered until it is, MAX_OPEN at most
            while (!(openBelowLimit() && inFlight.tryAcquire(100, TimeUnit.MILLISECONDS))) {
                if (stopping.getAsBoolean()) {
                    return false;
                }
                if (!openBelowLimit()) {
                    // the parents done may only wait for the records gathered and not yet handed to the writer
                    whileFull.run();
                    Thread.sleep(50);
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Parents handed out and not yet committed, at most: each is a few hundred bytes until the one before it is done. */
    static final int MAX_OPEN = 10_000;

    private synchronized boolean openBelowLimit() {
        return open.size() < MAX_OPEN;
    }

    synchronized ParentFetch dispatch(List<Parent> parents) {
        long ordinal = ++dispatched;
        open.put(ordinal, new Slot(parents.get(parents.size() - 1).key()));
        return new ParentFetch(ordinal, List.copyOf(parents), false);
    }

    /** A request chain is over: its place is free for the next. */
    void release() {
        inFlight.release();
    }

    /**
     * {@code fetch} was read to its end ({@code whole}: every page; else its URL answered 404), with
     * {@code queued} chunks queued for the writer by then.
     */
    synchronized void ended(ParentFetch fetch, boolean whole, long queued) {
        (whole ? fetched : notFound).addAndGet(fetch.parents().size());
        Slot slot = open.get(fetch.ordinal());
        if (slot != null) {
            slot.endMark = queued;
            slot.whole = whole ? fetch.parents() : List.of();
        }
    }

    /** {@code fetch} failed with {@code why}: the first failure stops the run, and a resumed run starts at it. */
    void failed(ParentFetch fetch, RuntimeException why) {
        failed.addAndGet(fetch.parents().size());
        failure.compareAndSet(null, why);
    }

    /** The failure that stops the run; null while there is none. */
    public RuntimeException failure() {
        return failure.get();
    }

    /**
     * The writer has written {@code written} chunks: the parents ended with all their chunks among them
     * are committed, as far as they follow one another in key order. True when that moved the checkpoint.
     */
    synchronized boolean advance(long written) {
        while (!open.isEmpty()) {
            Map.Entry<Long, Slot> first = open.firstEntry();
            if (first.getValue().endMark < 0 || first.getValue().endMark > written) {
                break;
            }
            committedThrough = first.getValue().lastKey;
            // its children are all written: only now may a full run take the parent as fetched whole
            for (Parent parent : first.getValue().whole) {
                seen.add(forEach.columns().stream().map(parent.columns()::get).toList());
            }
            open.pollFirstEntry();
            moved = true;
        }
        return moved;
    }

    /** Where a later run resumes (after this key), once it moved past where this run began; null before. */
    synchronized List<String> checkpoint() {
        return committedThrough == resumeAfter ? null : committedThrough;
    }

    /**
     * Takes the checkpoint to save, if it moved since it was last taken — and, unless {@code now}, if
     * {@code every} passed since (a run of ten thousand parents saves it a few times a minute, not ten thousand).
     */
    synchronized List<String> takeMoved(boolean now, java.time.Duration every) {
        java.time.Instant at = java.time.Instant.now();
        if (!moved || !now && lastSaved != null && java.time.Duration.between(lastSaved, at).compareTo(every) < 0) {
            return null;
        }
        moved = false;
        lastSaved = at;
        return committedThrough;
    }

    private java.time.Instant lastSaved;

    /** Takes the parents fetched whole since this was last called. */
    synchronized List<List<String>> takeSeen() {
        List<List<String>> taken = new ArrayList<>(seen);
        seen.clear();
        return taken;
    }

    synchronized int seenWaiting() {
        return seen.size();
    }
}
