package io.feedsync.run;

import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.feedsync.config.RunMode;
import io.feedsync.store.ParentRows;
import io.feedsync.upstream.ForEach;
import io.feedsync.upstream.PageFetchException;
import io.feedsync.upstream.PageProgress;
import io.feedsync.upstream.Parent;
import io.feedsync.upstream.ParentUrls;
import io.feedsync.upstream.UpstreamException;
import io.feedsync.upstream.UpstreamPages;

/**
 * The steps of a child feed's run (routes/feed-sync.yaml, routes/feed-parents.yaml): its parents as
 * the split's items, read from the parent feed's table as the split asks for them, each handed out only
 * once fewer than {@code for-each.concurrency} are in flight; the start of each parent's requests (its
 * URL, its own pages), and their end — read whole, skipped for a 404, or failed, which stops the run.
 */
@Component("parentRequests")
public class ParentRequests {

    private static final Logger log = LoggerFactory.getLogger(ParentRequests.class);

    private final ParentRows rows;
    private final UpstreamPages upstreamPages;
    private final ParentCheckpoints checkpoints;
    private final ChunkHandOver chunkHandOver;

    /** The writer route (routes/feed-sync.yaml) the chunks gathered from the parents go to. */
    private static final String WRITER = "direct:feed-write";

    public ParentRequests(ParentRows rows, UpstreamPages upstreamPages, ParentCheckpoints checkpoints,
                          ChunkHandOver chunkHandOver) {
        this.rows = rows;
        this.upstreamPages = upstreamPages;
        this.checkpoints = checkpoints;
        this.chunkHandOver = chunkHandOver;
    }

    /**
     * The split's items: the run's parents in key order (after the checkpoint of a run it resumes; for a
     * changed-only incremental run, only those changed since the feed's last successful run began), a
     * request chain each (with {@code batch}, one per that many parents). An item is handed out once a
     * place is free; none after the run was told to stop.
     */
    public Iterator<ParentFetch> parents(@ExchangeProperty(RunState.PROPERTY) RunState run) {
        ParentRun parents = run.parents();
        ForEach forEach = parents.forEach();
        if (parents.xmin() == null) {
            parents.xmin(rows.snapshotXmin());
        }
        String changedFrom = run.request().mode() == RunMode.INCREMENTAL && forEach.changedOnly()
                ? rows.changedFrom(run.feed()) : null;
        ParentRows.Selection selection = new ParentRows.Selection(changedFrom, parents.resumeAfter());
        parents.total(rows.count(run.feed(), selection));
        log.info("Feed {} run {}: {} parents of feed {}{}{}", run.feed().name(), run.runId(), parents.counts().total(),
                forEach.feed(), changedFrom == null ? "" : " changed since its last successful run",
                parents.resumeAfter() == null ? "" : " after " + String.join("|", parents.resumeAfter()));
        Iterator<Parent> read = rows.read(run.feed(), selection);
        int batch = forEach.batch() == null ? 1 : forEach.batch();
        // the iterator never throws: Camel's parallel split would end at once, its parents still in flight; a
        // failure to read the parents stops the run as a failed parent does, once those in flight are done
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return !stopping(run) && more();
            }

            private boolean more() {
                try {
                    return read.hasNext();
                } catch (RuntimeException unreadable) {
                    parents.failed(new ParentFetch(0, List.of(), true), unreadable);
                    return false;
                }
            }

            @Override
            public ParentFetch next() {
                // once told there is a next one, Camel's split waits for it: a stop hands out a fetch of nothing
                if (!parents.acquire(() -> stopping(run), () -> flushQuietly(run))) {
                    return new ParentFetch(0, List.of(), true);
                }
                List<Parent> chain = new ArrayList<>(batch);
                while (chain.size() < batch && !stopping(run) && more()) {
                    chain.add(read.next());
                }
                if (chain.isEmpty()) {
                    parents.release();
                    return new ParentFetch(0, List.of(), true);
                }
                return parents.dispatch(chain);
            }
        };
    }

    /**
     * The parents done wait for the records gathered (see {@link GatheredChunks}) to be written before they
     * count as committed: with as many waiting as {@link ParentRun#MAX_OPEN}, those go to the writer now.
     */
    private void flushQuietly(RunState run) {
        try {
            chunkHandOver.flush(run, WRITER);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("Feed {} run {}: could not hand its gathered records to the writer ({})", run.feed().name(),
                    run.runId(), e.getMessage());
        }
    }

    /** Whether the run is to stop: a parent failed, a chunk could not be written, or it was cancelled or its node stops. */
    private static boolean stopping(RunState run) {
        return run.parents().failure() != null || run.writeFailure() != null || run.stopRequested() != null;
    }

    /** Before a parent's first request: its URL, its pages (paged, capped and loop-guarded on their own). */
    public void begin(@Body ParentFetch fetch, Exchange exchange) {
        RunState run = exchange.getProperty(RunState.PROPERTY, RunState.class);
        exchange.setProperty(ParentFetch.PROPERTY, fetch);
        Parent single = run.feed().source().forEach().batch() == null ? fetch.single() : null;
        if (single != null) {
            // the records (and their dead letters) carry only the parent columns the mapping takes
            exchange.setProperty(Parent.PROPERTY, single.only(run.feed().transform().parents().values()));
        } else {
            exchange.removeProperty(Parent.PROPERTY);
        }
        if (fetch.skipped()) {
            // nothing to fetch: no first page, so the page loop does not start
            exchange.setProperty(PageProgress.PROPERTY, run.pageProgress().forParent(run.feed().source().url()));
            return;
        }
        URI url = ParentUrls.fill(run.feed().source(), fetch.parents());
        PageProgress pages = run.pageProgress().forParent(url);
        exchange.setProperty(PageProgress.PROPERTY, pages);
        upstreamPages.first(pages);
    }

    /** Every page of the parent was read: counted, and its place goes to the next. */
    public void fetched(@ExchangeProperty(ParentFetch.PROPERTY) ParentFetch fetch,
                        @ExchangeProperty(RunState.PROPERTY) RunState run) {
        if (fetch.skipped()) {
            return;
        }
        try {
            run.parents().ended(fetch, true, run.gathered().endMark(run.writes()));
            checkpoints.progress(run, run.writes().committedChunks());
        } catch (RuntimeException unsaved) {
            // the parent is done; only its bookkeeping failed (an older checkpoint, a parent not on record for
            // the soft-deletes: fewer rows deleted, never more). Thrown on, the parent would be failed as well
            log.warn("Feed {} run {}: {}: could not record its progress ({})", run.feed().name(), run.runId(), fetch,
                    unsaved.getMessage());
        } finally {
            run.parents().release();
        }
    }

    /**
     * The parent's requests failed (after their retries, see routes/feed-parents.yaml): a 404 (or a parent
     * without the value its URL needs) is skipped and counted with {@code on-not-found: skip}; anything else
     * stops the run, which fails with it once the parents in flight are done.
     */
    public void failed(Exchange exchange) {
        RunState run = exchange.getProperty(RunState.PROPERTY, RunState.class);
        ParentFetch fetch = exchange.getProperty(ParentFetch.PROPERTY, ParentFetch.class);
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        RuntimeException failure = caught instanceof RuntimeException runtime ? runtime : new IllegalStateException(caught);
        try {
            if (fetch == null || fetch.skipped()) {
                run.parents().failed(new ParentFetch(0, List.of(), true), failure);
                return;
            }
            if (notFound(failure) && run.feed().source().forEach().skipNotFound()) {
                log.info("Feed {} run {}: {} skipped: {}", run.feed().name(), run.runId(), fetch, failure.getMessage());
                run.parents().ended(fetch, false, run.gathered().endMark(run.writes()));
                try {
                    checkpoints.progress(run, run.writes().committedChunks());
                } catch (RuntimeException unsaved) {
                    log.warn("Feed {} run {}: {}: could not record its progress ({})", run.feed().name(),
                            run.runId(), fetch, unsaved.getMessage());
                }
                return;
            }
            run.parents().failed(fetch, failure instanceof UpstreamException upstream
                    ? new ParentFailedException(fetch.toString(), upstream) : failure);
        } finally {
            // a skipped fetch holds no place
            if (fetch != null && !fetch.skipped()) {
                run.parents().release();
            }
        }
    }

    private static boolean notFound(Throwable failure) {
        return failure instanceof PageFetchException fetch && Integer.valueOf(404).equals(fetch.httpStatus())
                || failure instanceof ParentUrls.UnusableParentValueException;
    }

    /**
     * After the split, every parent done: the run fails with the first parent that failed; otherwise the
     * parents it fetched whole are on record for its soft-deletes.
     */
    public void finished(@ExchangeProperty(RunState.PROPERTY) RunState run, Exchange exchange)
            throws InterruptedException {
        // the last records gathered go to the writer (also when the run fails: more of it is then committed)
        chunkHandOver.flush(run, WRITER);
        exchange.removeProperty(Parent.PROPERTY);
        exchange.removeProperty(ParentFetch.PROPERTY);
        exchange.setProperty(PageProgress.PROPERTY, run.pageProgress());
        ParentCounts counts = run.parents().counts();
        log.info("Feed {} run {}: parents {} fetched, {} not found, {} failed of {}", run.feed().name(), run.runId(),
                counts.fetched(), counts.notFound(), counts.failed(), counts.total());
        RuntimeException failure = run.parents().failure();
        if (failure != null) {
            throw failure;
        }
        checkpoints.recordSeen(run);
    }
}
