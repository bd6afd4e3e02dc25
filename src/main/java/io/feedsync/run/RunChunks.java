package io.feedsync.run;

import java.net.URI;

import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.feedsync.store.ChunkOutcome;
import io.feedsync.store.SoftDeleted;
import io.feedsync.transform.Chunk;
import io.feedsync.upstream.PageProgress;

/**
 * Where a run meets what its steps did: a chunk is counted as it is queued for the writer, and
 * what the writer did with it ({@link ChunkOutcome}: counts, samples, dead letters, and a write
 * failure, which fails the run), the records the dead letters took, what a full run soft-deleted
 * and what a replay did are folded into the run in this one place. The run's finish — and its
 * failure — wait for every queued chunk first.
 */
@Component("runChunks")
public class RunChunks {

    private static final Logger log = LoggerFactory.getLogger(RunChunks.class);

    private final RunLedger ledger;
    private final ParentCheckpoints parentCheckpoints;

    public RunChunks(RunLedger ledger, ParentCheckpoints parentCheckpoints) {
        this.ledger = ledger;
        this.parentCheckpoints = parentCheckpoints;
    }

    /**
     * Before the next page is fetched: at most {@code source.rate-limit.prefetch} pages are read
     * ahead of the writer.
     */
    public void awaitPrefetch(@ExchangeProperty(RunState.PROPERTY) RunState run) {
        // a child feed's run reads at most a page per parent in flight ahead of its writer: no page ends kept
        if (run.parents() == null) {
            run.writes().awaitPrefetch(run.pages(), run.feed().source().rateLimit().prefetch());
        }
    }

    /** The records of a chunk that the dead letters took (stored by then): counted, and out of the chunk. */
    public void deadLettered(@Body Chunk chunk, @ExchangeProperty(RunState.PROPERTY) RunState run) {
        chunk.takeRejections().forEach(run::fold);
    }

    /**
     * Before the chunk goes into the writer's queue ({@link ChunkHandOver}, which counts it queued): the
     * page's records it carried are fetched and done with.
     */
    public void queued(@Body Chunk chunk, @ExchangeProperty(RunState.PROPERTY) RunState run,
                       @ExchangeProperty(PageProgress.PROPERTY) PageProgress pages) {
        run.recordFetched(chunk.upstreamSize());
        // the page of this chunk's parent, for a child feed's run
        pages.currentPage().done(chunk.upstreamSize());
    }

    /**
     * What the writer did with a chunk, folded into the run, on the writer's thread: its failure, if
     * any — recorded here only, before the chunk counts as written, so the run's thread sees it once
     * it sees the chunk written, and the writer skips the run's later chunks — and its counts and
     * samples. When the chunk commits a page (every chunk of it written), the run's checkpoint moves
     * past it.
     */
    public void written(@Body ChunkOutcome outcome, @ExchangeProperty(RunState.PROPERTY) RunState run) {
        try {
            if (outcome.failure() != null) {
                // first: whatever happens to the folding, the run fails
                run.writeFailed(outcome.failure());
            }
            run.fold(outcome);
            URI next = run.writes().committing(run.writeFailure() == null);
            if (next != null && run.request().checkpoints()) {
                saveCheckpoint(run, next);
            }
            if (run.parents() != null && run.writeFailure() == null) {
                // this chunk counts as committed from here on (committing, above)
                parentCheckpoints.progress(run, run.writes().committedChunks());
            }
        } finally {
            run.writes().written();
        }
    }

    private void saveCheckpoint(RunState run, URI next) {
        try {
            ledger.checkpoint(run.runId(), run.checkpoint(next, run.writes().committedPages()));
        } catch (RuntimeException unavailable) {
            // the run goes on; an older checkpoint (or none) only means more pages read again
            log.warn("Feed {} run {}: could not save its checkpoint ({})", run.feed().name(), run.runId(),
                    unavailable.getMessage());
        }
    }

    /** Waits for the writer to finish every queued chunk; fails the run if one could not be written. */
    public void awaitWrites(@ExchangeProperty(RunState.PROPERTY) RunState run) {
        run.writes().awaitAll();
        if (run.writeFailure() != null) {
            throw run.writeFailure();
        }
        if (run.parents() != null) {
            // every chunk written: the last parents fetched whole go on record for the soft-deletes
            parentCheckpoints.allWritten(run);
        }
    }

    public void softDeleted(@Body SoftDeleted softDeleted, @ExchangeProperty(RunState.PROPERTY) RunState run) {
        run.fold(softDeleted);
    }

    /** One dead letter replayed: read once, and what writing it did. */
    public void replayed(@Body ChunkOutcome outcome, @ExchangeProperty(RunState.PROPERTY) RunState run) {
        run.recordFetched(1);
        run.fold(outcome);
    }
}
