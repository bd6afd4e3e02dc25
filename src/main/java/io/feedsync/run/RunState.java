package io.feedsync.run;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.camel.Exchange;

import io.feedsync.config.FeedDefinition;
import io.feedsync.config.RunMode;
import io.feedsync.store.ChunkOutcome;
import io.feedsync.store.RunSamples;
import io.feedsync.store.SoftDeleted;
import io.feedsync.store.StoreRun;
import io.feedsync.store.UpsertCounts;
import io.feedsync.transform.Chunk;
import io.feedsync.upstream.Incremental;
import io.feedsync.upstream.PageProgress;

/**
 * A run in progress, carried through the sync route as the exchange property {@value #PROPERTY}:
 * its identity, its live counts and samples, and the lock that makes it the only run of its feed.
 * It composes what the other packages keep of the run — where pagination stands
 * ({@link PageProgress}, upstream), what the store knows of it ({@link StoreRun}) — and folds what
 * they report (chunk outcomes, dead letters, soft-deletes) into its counts.
 */
public final class RunState {

    public static final String PROPERTY = "feedsyncRun";

    private final long runId;
    private final FeedDefinition feed;
    private final RunRequest request;
    private final FeedLock lock;
    private final String startWatermark;
    private final String screenFrom;
    private final RunCursors cursors;
    private final StoreRun store;
    private final PageProgress pages;
    /** The run this one resumes (null: it started from the first page), and the pages read before it. */
    private final Long resumedFrom;
    private final int pagesBefore;
    /** When the first run of a resumed chain started. */
    private final Instant origin;
    /** A child feed's parents (null for any other feed). */
    private final ParentRun parents;
    /** A child feed's chunks, gathered before its writer takes them (null for any other feed). */
    private final GatheredChunks gathered;
    private final RunSamples samples = new RunSamples();
    private final RunWrites writes = new RunWrites();
    private final Instant startedAt = Instant.now();

    private final AtomicLong fetched = new AtomicLong();
    private final AtomicLong inserted = new AtomicLong();
    private final AtomicLong updated = new AtomicLong();
    private final AtomicLong unchanged = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong pendingDeletes = new AtomicLong();
    /** What the run's final transaction holds, counted but not committed until the run succeeds. */
    private volatile SoftDeleted finalWrites = SoftDeleted.NONE;

    private volatile Instant lastProgressLog = startedAt;
    /** Why the run is to stop before its end (cancelled, its node stopping); null while it is not. */
    private final AtomicReference<RunStop> stop = new AtomicReference<>();
    private final CountDownLatch stopAsked = new CountDownLatch(1);

    public RunState(long runId, FeedDefinition feed, RunRequest request, FeedLock lock, String startWatermark,
                    boolean lettersWaiting) {
        this(runId, feed, request, lock, startWatermark, lettersWaiting, null, null);
    }

    /** A run that resumes run {@code resumedFrom}, which left {@code checkpoint}; both null for a fresh start. */
    public RunState(long runId, FeedDefinition feed, RunRequest request, FeedLock lock, String startWatermark,
                    boolean lettersWaiting, Long resumedFrom, RunCheckpoint checkpoint) {
        this.runId = runId;
        this.feed = feed;
        this.request = request;
        this.lock = lock;
        this.startWatermark = startWatermark;
        this.resumedFrom = checkpoint == null ? null : resumedFrom;
        this.pagesBefore = checkpoint == null ? 0 : checkpoint.pages();
        this.origin = checkpoint == null || checkpoint.origin() == null ? startedAt : checkpoint.origin();
        Incremental incremental = feed.source().incremental();
        this.cursors = incremental == null ? new RunCursors(Comparator.naturalOrder(), cursor -> true)
                : new RunCursors(incremental.order(), cursor -> incremental.predates(cursor, origin));
        // where this run reads from: a selective run's since, or its starting watermark less the feed's lookback
        if (request.range() != null) {
            this.screenFrom = request.range().since();
        } else {
            this.screenFrom = startWatermark == null || incremental == null ? startWatermark
                    : incremental.lookBack(startWatermark);
        }
        this.store = new StoreRun(runId, feed, request.mode(), request.dryRun(), request.trigger() == RunTrigger.DRIFT,
                request.trigger() == RunTrigger.REPLAY, request.confirm(), lettersWaiting);
        boolean asksFrom = incremental != null && incremental.param() != null && screenFrom != null
                && request.mode() == RunMode.INCREMENTAL;
        this.pages = new PageProgress(runId, feed.name(), feed.chunkSize(), feed.source(), asksFrom ? incremental.format(screenFrom) : null);
        this.parents = feed.source().forEach() == null ? null : new ParentRun(feed.source().forEach(),
                checkpoint == null ? null : checkpoint.afterParent(), checkpoint == null ? null : checkpoint.parentsXmin());
        this.gathered = parents == null ? null : new GatheredChunks();
        if (checkpoint != null) {
            if (checkpoint.next() != null) {
                pages.resumeAt(java.net.URI.create(checkpoint.next()), checkpoint.pages());
            }
            cursors.resume(checkpoint.highest(), checkpoint.lowestFailed());
            store.keylessRejections(checkpoint.keyless());
            store.keysSeen(checkpoint.keysSeen());
        }
    }

    /** The run this one resumed from its checkpoint; null when it started from the first page. */
    public Long resumedFrom() {
        return resumedFrom;
    }

    /**
     * Where this run stands once its first {@code committedPages} pages are committed, with
     * {@code next} the page after them: what a later run resumes from.
     */
    public RunCheckpoint checkpoint(java.net.URI next, int committedPages) {
        return new RunCheckpoint(pages.storable(next).toString(), pagesBefore + committedPages, cursors.highest(),
                cursors.lowestFailed(), store.keylessRejections(), origin, store.keysSeen());
    }

    /**
     * Where a child feed's run stands once every parent up to {@code afterParent} (in key order) is fetched
     * and written: what a later run resumes from.
     */
    public RunCheckpoint parentCheckpoint(java.util.List<String> afterParent) {
        return new RunCheckpoint(null, pagesBefore + pages(), null, null, store.keylessRejections(), origin,
                store.keysSeen(), afterParent, parents.xmin(), parents.forEach().feed());
    }

    /** A child feed's chunks on their way to its writer; null for any other feed. */
    GatheredChunks gathered() {
        return gathered;
    }

    /** A child feed's parents: how they go, where the run resumes; null for any other feed. */
    public ParentRun parents() {
        return parents;
    }

    /** Puts the run on the exchange that carries it, with the parts the other packages' steps read. */
    public void attachTo(Exchange exchange) {
        exchange.setProperty(PROPERTY, this);
        exchange.setProperty(StoreRun.PROPERTY, store);
        exchange.setProperty(PageProgress.PROPERTY, pages);
        exchange.setProperty(FeedDefinition.PROPERTY, feed);
    }

    public long runId() {
        return runId;
    }

    public FeedDefinition feed() {
        return feed;
    }

    public RunRequest request() {
        return request;
    }

    /** The route that carries out this run: the sync, or the dead-letter replay. */
    public String entryRoute() {
        return request.trigger() == RunTrigger.REPLAY ? "direct:dead-letter-replay" : "direct:feed-sync";
    }

    /** The feed's watermark when this run started; null before the first successful incremental run. */
    public String startWatermark() {
        return startWatermark;
    }

    /** What the store knows of this run. */
    public StoreRun store() {
        return store;
    }

    /** Where this run's pagination stands. */
    public PageProgress pageProgress() {
        return pages;
    }

    public RunSamples samples() {
        return samples;
    }

    public RunCursors cursors() {
        return cursors;
    }

    /** Folds what a full run's soft-delete did into the run. */
    public void fold(SoftDeleted softDeleted) {
        finalWrites = finalWrites.plus(softDeleted);
        deleted.addAndGet(softDeleted.count());
        pendingDeletes.addAndGet(softDeleted.pending());
        softDeleted.sample().forEach(key -> samples.add(RunSamples.DELETED, key));
    }

    /**
     * The run fails after its final transaction was opened: what it wrote there is taken back, and
     * its counts and samples with it.
     */
    void discardFinalWrites() {
        lock().discardFinalWrites();
        SoftDeleted taken = finalWrites;
        finalWrites = SoftDeleted.NONE;
        deleted.addAndGet(-taken.count());
        pendingDeletes.addAndGet(-taken.pending());
        taken.sample().forEach(key -> samples.remove(RunSamples.DELETED, key));
    }

    /**
     * Folds a record that went to the dead letters into the run: counted, sampled, and (its cursor)
     * holding the watermark back.
     */
    public void fold(Chunk.Rejection rejection) {
        deadLettered.incrementAndGet();
        samples.add(RunSamples.DEAD_LETTERED, rejection.key());
        Incremental incremental = feed.source().incremental();
        String cursor = incremental == null ? null : incremental.cursorOf(rejection.payload());
        if (cursor != null && !cursor.isEmpty()) {
            try {
                incremental.check(cursor);
                cursors.failed(cursor);
            } catch (IllegalArgumentException unusable) {
                // a record whose cursor does not parse cannot pin the watermark
            }
        }
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** When the run last logged its progress (its start, before the first time). */
    public Instant lastProgressLog() {
        return lastProgressLog;
    }

    public void progressLogged(Instant at) {
        lastProgressLog = at;
    }

    private final AtomicLong lastProgressSaved = new AtomicLong();
    private final AtomicLong lastLockCheck = new AtomicLong();

    /** Whether {@code every} passed since the run's progress was last saved; if so, it counts as saved now. */
    boolean progressDue(Duration every) {
        return due(lastProgressSaved, every);
    }

    /** Whether {@code every} passed since the run's lock was last checked; if so, it counts as checked now. */
    boolean lockCheckDue(Duration every) {
        return due(lastLockCheck, every);
    }

    private static boolean due(AtomicLong last, Duration every) {
        long now = System.nanoTime();
        long before = last.get();
        return (before == 0 || now - before >= every.toNanos()) && last.compareAndSet(before, now);
    }

    public RunCounts counts() {
        return new RunCounts(fetched.get(), inserted.get(), updated.get(), unchanged.get(), deleted.get(),
                deadLettered.get(), pendingDeletes.get());
    }

    public int pages() {
        return pages.pages();
    }

    /** The current page's URL without credentials; null before the first request. */
    public String pageUrl() {
        return pages.pageUrl();
    }

    public void recordFetched(int records) {
        fetched.addAndGet(records);
    }

    public void recordWritten(UpsertCounts counts) {
        inserted.addAndGet(counts.inserted());
        updated.addAndGet(counts.updated());
        unchanged.addAndGet(counts.unchanged());
        deleted.addAndGet(counts.deleted());
    }

    /**
     * Folds what the writer did with one chunk into the run's counts and samples (a failure in it is
     * the caller's to record, see {@link #writeFailed}).
     */
    public void fold(ChunkOutcome outcome) {
        recordWritten(outcome.counts());
        outcome.inserted().forEach(key -> samples.add(RunSamples.INSERTED, key));
        outcome.updated().forEach(key -> samples.add(RunSamples.UPDATED, key));
        outcome.unchanged().forEach(key -> samples.add(RunSamples.UNCHANGED, key));
        outcome.deadLettered().forEach(this::fold);
        outcome.deleted().forEach(key -> samples.add(RunSamples.DELETED, key));
    }

    /** The chunks queued for the run's writer stage, and how many it has written. */
    public RunWrites writes() {
        return writes;
    }

    /**
     * A write of the run failed (not for its data): kept in the store's part of the run, where the
     * writer sees it and skips the chunks after it, and the run's thread sees it and fails the run.
     * The first failure stays.
     */
    public void writeFailed(RuntimeException failure) {
        store.writeFailed(failure);
    }

    /** The first write of the run that failed (not for its data), or null. */
    public RuntimeException writeFailure() {
        return store.writeFailure();
    }

    /**
     * Where this run reads from: its starting watermark less the feed's lookback (the upstream is
     * asked from there, and records from there on are applied).
     */
    public String screenFrom() {
        return screenFrom;
    }

    /**
     * The feed's watermark after this run succeeded: the highest cursor it applied (see
     * {@link RunCursors#next}), never below the starting one. A selective run moves it only when its
     * range starts at or before the starting watermark (see {@link RunRange#joins}).
     */
    public String nextWatermark(boolean pinToFailures) {
        RunRange range = request.range();
        if (range != null && !range.joins(feed.source().incremental(), startWatermark)) {
            return startWatermark;
        }
        return cursors.next(startWatermark, pinToFailures);
    }

    FeedLock lock() {
        return lock;
    }

    /**
     * Asks the run to stop at its next page, or at once if it waits before a retry; the first reason
     * given stays.
     */
    public void stop(RunStop why) {
        stop.compareAndSet(null, why);
        stopAsked.countDown();
    }

    /** Why the run was asked to stop; null while it was not. */
    public RunStop stopRequested() {
        return stop.get();
    }

    /** Waits at most {@code nanos} for the run to be asked to stop; true once it was. */
    boolean awaitStop(long nanos) throws InterruptedException {
        return stopAsked.await(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public String toString() {
        return "run " + runId + " of feed " + feed.name();
    }
}
