package io.feedsync.run;

import java.util.ArrayList;
import java.util.List;

/**
 * The chunks of a run on their way to its writer stage: how many were queued and how many the
 * writer has finished with, and how many had been queued when each page was read to its end.
 * The run's finish waits until every queued chunk is written; a page request waits while more
 * than the feed's prefetch of pages read are not yet written.
 */
public final class RunWrites {

    private long queued;
    private long written;
    /** For each page read to its end, in order: the chunks queued by then. */
    private final List<Long> pageEnds = new ArrayList<>();

    synchronized void queued() {
        queued++;
    }

    synchronized void written() {
        written++;
        notifyAll();
    }

    public synchronized void pageRead() {
        pageEnds.add(queued);
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
