package io.feedsync.upstream;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a run's pagination stands, carried through the sync route as the exchange property
 * {@value #PROPERTY}: the pages read, the next page to ask for, the page being read, and every
 * page asked for so far (so that a next page that repeats one is caught).
 */
public final class PageProgress {

    public static final String PROPERTY = "feedsyncPages";

    private final long runId;
    private final String feedName;
    private final int chunkSize;
    private final Source source;
    private final String watermarkParam;
    /** Where the export starts: the feed's {@code source.url}, or a parent's URL for a child feed. */
    private final URI start;
    /** A parent's pages count in its run's too (null: these are the run's). */
    private final PageProgress run;
    private final AtomicInteger pages = new AtomicInteger();
    private volatile int pagesBefore;
    /** The pages this run has asked for, as its pagination named them (64-bit digests: a long export stays small). */
    private final Set<Long> visited = ConcurrentHashMap.newKeySet();

    private volatile URI nextPage;
    private volatile PageChunks currentPage;
    private volatile URI pageUri;
    private volatile String pageUrl;
    private volatile String pageLinkHeader;

    /**
     * The pages of a run of feed {@code feedName}, read from {@code source} in chunks of {@code chunkSize}
     * records. {@code watermarkParam}: the value of {@code source.incremental.param} the run asks with (its
     * watermark less the lookback, formatted), or null for none.
     */
    public PageProgress(long runId, String feedName, int chunkSize, Source source, String watermarkParam) {
        this(runId, feedName, chunkSize, source, watermarkParam, source.url(), null);
    }

    private PageProgress(long runId, String feedName, int chunkSize, Source source, String watermarkParam, URI start,
                         PageProgress run) {
        this.runId = runId;
        this.feedName = feedName;
        this.chunkSize = chunkSize;
        this.source = source;
        this.watermarkParam = watermarkParam;
        this.start = start;
        this.run = run;
    }

    /**
     * The pages of one parent of a child feed's run, from {@code start} (its URL): paged, capped at
     * {@code max-pages} and guarded against loops on their own, and counted in this run's pages too.
     */
    public PageProgress forParent(URI start) {
        return new PageProgress(runId, feedName, chunkSize, source, watermarkParam, start, this);
    }

    /** Where the export starts: {@code source.url}, or for a parent of a child feed, its URL. */
    public URI start() {
        return start;
    }

    /**
     * A run that resumes an unfinished one: {@code pages} pages were read by then, and {@code next}
     * (as {@link SafeUrls#withoutSecrets} kept it) is the page to read next.
     */
    public void resumeAt(URI next, int pages) {
        this.nextPage = SafeUrls.restored(next, source.url());
        this.pagesBefore = pages;
    }

    /** The next page's request as a checkpoint keeps it: without credentials. */
    public URI storable(URI page) {
        return page == null ? null : SafeUrls.withoutSecrets(page, source.auth().secretQueryParams());
    }

    public long runId() {
        return runId;
    }

    public String feedName() {
        return feedName;
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** The feed's {@code source}: where and how its pages are read. */
    public Source source() {
        return source;
    }

    public String watermarkParam() {
        return watermarkParam;
    }

    /** How many pages the run has read. */
    public int pages() {
        return pages.get();
    }

    /** How many pages of the export have been read, by this run and the unfinished runs it resumed. */
    public int pagesOfExport() {
        return pagesBefore + pages.get();
    }

    void pageRead() {
        pages.incrementAndGet();
        if (run != null) {
            run.pageRead();
        }
    }

    public URI nextPage() {
        return nextPage;
    }

    void nextPage(URI uri) {
        this.nextPage = uri;
    }

    /** Whether the pagination has another page to fetch; read by the sync route's page loop. */
    public boolean hasMorePages() {
        return nextPage != null;
    }

    /** Whether this run has not asked for {@code page} yet; remembers it. */
    boolean firstVisit(URI page) {
        if (visited.isEmpty() && nextPage != null) {
            visited.add(digest(nextPage));
        }
        return visited.add(digest(page));
    }

    private static long digest(URI page) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : page.toString().getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return hash;
    }

    /** The page being requested: its URI, and its URL without credentials (for errors and logs). */
    void pageRequested(URI uri, String safeUrl) {
        this.pageUri = uri;
        this.pageUrl = safeUrl;
        this.pageLinkHeader = null;
    }

    URI pageUri() {
        return pageUri;
    }

    /** The current page's URL without credentials; null before the first request. */
    public String pageUrl() {
        return pageUrl;
    }

    void pageLinkHeader(String linkHeader) {
        this.pageLinkHeader = linkHeader;
    }

    String pageLinkHeader() {
        return pageLinkHeader;
    }

    /** The page being read, in chunks; after it, until the next one is read. */
    public PageChunks currentPage() {
        return currentPage;
    }

    void currentPage(PageChunks page) {
        this.currentPage = page;
    }

    @Override
    public String toString() {
        return "pages of run " + runId + " of feed " + feedName;
    }
}
