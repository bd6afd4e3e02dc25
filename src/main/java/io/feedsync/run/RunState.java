package io.feedsync.run;

import java.net.URI;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.feedsync.config.FeedDefinition;
import io.feedsync.store.ChunkOutcome;
import io.feedsync.store.UpsertCounts;
import io.feedsync.upstream.Incremental;
import io.feedsync.upstream.PageChunks;

/**
 * A run in progress, carried through the sync route as the exchange property {@value #PROPERTY}:
 * its identity, its live counts, where pagination stands, and the lock that makes it the only
 * run of its feed.
 */
public final class RunState {

    public static final String PROPERTY = "feedsyncRun";

    private final long runId;
    private final FeedDefinition feed;
    private final RunRequest request;
    private final FeedLock lock;
    private final String startWatermark;
    private final boolean lettersWaiting;
    private final RunCursors cursors;
    private final RunSamples samples = new RunSamples();
    private final RunWrites writes = new RunWrites();
    private final Instant startedAt = Instant.now();

    private final AtomicInteger pages = new AtomicInteger();
    private final AtomicLong fetched = new AtomicLong();
    private final AtomicLong inserted = new AtomicLong();
    private final AtomicLong updated = new AtomicLong();
    private final AtomicLong unchanged = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong keylessRejections = new AtomicLong();

    private volatile URI nextPage;
    private volatile String screenFrom;
    /** The pages this run has asked for, as its pagination named them (64-bit digests: a long export stays small). */
    private final java.util.Set<Long> visited = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile PageChunks currentPage;
    private volatile URI pageUri;
    private volatile String pageUrl;
    private volatile String pageLinkHeader;
    private volatile RuntimeException writeFailure;
    private volatile Instant lastProgressLog = startedAt;

    public RunState(long runId, FeedDefinition feed, RunRequest request, FeedLock lock, String startWatermark,
                    boolean lettersWaiting) {
        this.runId = runId;
        this.feed = feed;
        this.request = request;
        this.lock = lock;
        this.startWatermark = startWatermark;
        this.lettersWaiting = lettersWaiting;
        Incremental incremental = feed.source().incremental();
        this.cursors = incremental == null ? new RunCursors(Comparator.naturalOrder(), cursor -> true)
                : new RunCursors(incremental.order(), cursor -> incremental.predates(cursor, startedAt));
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

    /** The route that carries out this run: the feed's sync, or the dead-letter replay. */
    public String entryRoute() {
        return request.trigger() == RunTrigger.REPLAY ? "direct:dead-letter-replay" : "direct:feed-" + feed.name() + "-sync";
    }

    /** The feed's watermark when this run started; null before the first successful incremental run. */
    public String startWatermark() {
        return startWatermark;
    }

    /** Whether dead letters of the feed, with a key, waited when the run started: its writes may settle them. */
    public boolean lettersWaiting() {
        return lettersWaiting;
    }

    public RunSamples samples() {
        return samples;
    }

    public RunCursors cursors() {
        return cursors;
    }

    public void recordDeleted(long count) {
        deleted.addAndGet(count);
    }

    public void recordDeadLettered() {
        deadLettered.incrementAndGet();
    }

    /** A record dead-lettered before its key was known: a full run cannot tell which row it was. */
    public void recordKeylessRejection() {
        keylessRejections.incrementAndGet();
    }

    public long keylessRejections() {
        return keylessRejections.get();
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

    public RunCounts counts() {
        return new RunCounts(fetched.get(), inserted.get(), updated.get(), unchanged.get(), deleted.get(),
                deadLettered.get());
    }

    public int pages() {
        return pages.get();
    }

    public int pageFetched() {
        return pages.incrementAndGet();
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

    /** Folds what the writer did with one chunk into the run's counts and samples. */
    public void fold(ChunkOutcome outcome) {
        recordWritten(outcome.counts());
        outcome.inserted().forEach(key -> samples.add(RunSamples.INSERTED, key));
        outcome.updated().forEach(key -> samples.add(RunSamples.UPDATED, key));
        outcome.unchanged().forEach(key -> samples.add(RunSamples.UNCHANGED, key));
        outcome.deleted().forEach(key -> samples.add(RunSamples.DELETED, key));
        if (outcome.failure() != null) {
            recordWriteFailure(outcome.failure());
        }
    }

    /** The chunks queued for the run's writer stage, and how many it has written. */
    public RunWrites writes() {
        return writes;
    }

    public void recordWriteFailure(RuntimeException failure) {
        if (writeFailure == null) {
            writeFailure = failure;
        }
    }

    public RuntimeException writeFailure() {
        return writeFailure;
    }

    public URI nextPage() {
        return nextPage;
    }

    /** Whether this run has not asked for {@code page} yet; remembers it. */
    public boolean firstVisit(URI page) {
        if (visited.isEmpty() && nextPage != null) {
            visited.add(digest(nextPage));
        }
        return visited.add(digest(page));
    }

    private static long digest(URI page) {
        byte[] text = page.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long hash = 0xcbf29ce484222325L;
        for (byte b : text) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return hash;
    }

    /**
     * Where this run reads from: its starting watermark less the feed's lookback (the upstream is
     * asked from there, and records from there on are applied).
     */
    public String screenFrom() {
        String from = screenFrom;
        if (from == null && startWatermark() != null) {
            from = feed().source().incremental() == null ? startWatermark()
                    : feed().source().incremental().lookBack(startWatermark());
            screenFrom = from;
        }
        return from;
    }

    public void nextPage(URI uri) {
        this.nextPage = uri;
    }

    /** Whether the paginator has another page to fetch; read by the sync route's page loop. */
    public boolean hasMorePages() {
        return nextPage != null;
    }

    /** The page being requested: its URI, and its URL without credentials (for errors and logs). */
    public void pageRequested(URI uri, String safeUrl) {
        this.pageUri = uri;
        this.pageUrl = safeUrl;
        this.pageLinkHeader = null;
    }

    public URI pageUri() {
        return pageUri;
    }

    /** The current page's URL without credentials; null before the first request. */
    public String pageUrl() {
        return pageUrl;
    }

    /** The {@code Link} header of the current page's response, for Link-header pagination. */
    public void pageLinkHeader(String linkHeader) {
        this.pageLinkHeader = linkHeader;
    }

    public String pageLinkHeader() {
        return pageLinkHeader;
    }

    /** The page being read, in chunks; after it, until the next one is read. */
    public PageChunks currentPage() {
        return currentPage;
    }

    public void currentPage(PageChunks page) {
        this.currentPage = page;
    }

    FeedLock lock() {
        return lock;
    }

    @Override
    public String toString() {
        return "run " + runId + " of feed " + feed.name();
    }
}
