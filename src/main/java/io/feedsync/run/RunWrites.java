package io.feedsync.run;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;

/**
 * The chunks of a run on their way to its writer stage: how many were queued and how many the
 * writer has finished with, and how many had been queued when each page was read to its end.
 * The run's finish waits until every queued chunk is written; a page request waits while more
 * than the feed's prefetch of pages read are not yet written.
 * <p>
 * The writes themselves are {@linkplain #handOver handed over} one after another: each starts on
 * the shared writer pool once the one before it is done, so the run's chunks are written in the
 * order queued, one at a time, and a run that writes nothing holds no thread.
 */
public final class RunWrites {

    /**
     * Chunks handed over and not yet written, the one being written included: enough to keep the
     * writer busy, few enough to bound the heap. A full hand-off makes the run's thread wait.
     */
    static final int IN_FLIGHT = 5;

    private final Semaphore room = new Semaphore(IN_FLIGHT);
    /** The last write handed over; the next one starts when it is done. */
    private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
    private long queued;
    private long written;
    /** For each page read to its end, in order: the chunks queued by then. */
    private final List<Long> pageEnds = new ArrayList<>();
    /** For each page read to its end: the next page's request (null after the last). */
    private final List<URI> nextPages = new ArrayList<>();
    /** How many pages are committed: every chunk of theirs written. */
    private int committedPages;
    /** How many chunks are committed: written, and none before them failed or was skipped. */
    private long committedChunks;
    private boolean broken;

    synchronized void queued() {
        queued++;
    }

    /**
     * Starts {@code write} on {@code pool} after every write handed over before it; waits first while
     * {@link #IN_FLIGHT} writes are not done. {@code write} must not throw: a failed write is folded into
     * the run, not thrown (a throwing write would stop the ones after it).
     */
    void handOver(Runnable write, Executor pool) throws InterruptedException {
        room.acquire();
        synchronized (this) {
            last = last.thenRunAsync(() -> {
                try {
                    write.run();
                } finally {
                    room.release();
                }
            }, pool);
        }
    }

    synchronized void written() {
        written++;
        notifyAll();
    }

    /** How many chunks are committed: written, with none before them failed or skipped. */
    synchronized long committedChunks() {
        return committedChunks;
    }

    /** How many chunks were queued so far. */
    synchronized long queuedSoFar() {
        return queued;
    }

    /** How many chunks the writer has finished with so far. */
    synchronized long writtenSoFar() {
        return written;
    }

    /**
     * A page is read to its end, its chunks queued. Answers the next page's request when that
     * commits the page at once (the writer had written all its chunks already), else null.
     */
    public synchronized URI pageRead(URI nextPage) {
        pageEnds.add(queued);
        nextPages.add(nextPage);
        if (broken || written < queued) {
            return null;
        }
        committedPages = pageEnds.size();
        return nextPage;
    }

    /**
     * The writer is done with its next chunk ({@code ok}: written, not failed or skipped). Answers the
     * request of the page after the pages this commits, or null when it commits no page (or after a
     * failure: nothing after it is committed).
     */
    synchronized URI committing(boolean ok) {
        broken |= !ok;
        if (broken) {
            return null;
        }
        committedChunks = written + 1;
        int before = committedPages;
        while (committedPages < pageEnds.size() && pageEnds.get(committedPages) <= written + 1) {
            committedPages++;
        }
        return committedPages > before ? nextPages.get(committedPages - 1) : null;
    }

    /** How many pages are committed: every chunk of theirs written. */
    synchronized int committedPages() {
        return committedPages;
    }

    /** Waits until the writer has finished with every chunk queued so far. */
    synchronized void awaitAll() {
        awaitWritten(queued);
    }

    /**
     * Before page {@code page} (0 first) is fetched: waits until every page more than
     * {@code prefetch} pages before it is written, so that at most {@code prefetch} pages are
     * read ahead of the writer.
     */
    public synchronized void awaitPrefetch(int page, int prefetch) {
        int mustBeWritten = page - 1 - prefetch;
        if (mustBeWritten >= 0 && mustBeWritten < pageEnds.size()) {
            awaitWritten(pageEnds.get(mustBeWritten));
        }
    }

    private void awaitWritten(long chunks) {
        while (written < chunks) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the run's writes", e);
            }
        }
    }
}
