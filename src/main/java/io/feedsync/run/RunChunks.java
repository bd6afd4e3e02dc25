package io.feedsync.run;

import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.springframework.stereotype.Component;

import io.feedsync.store.ChunkOutcome;
import io.feedsync.transform.Chunk;

/**
 * Where a run meets its writer stage: a chunk is counted as it is queued for the writer, and what
 * the writer did with it ({@link ChunkOutcome}) is folded into the run in this one place. The
 * run's finish — and its failure — wait for every queued chunk first.
 */
@Component("runChunks")
public class RunChunks {

    /** Before the chunk goes into the writer's queue: the page's records it carried are done with. */
    public void queued(@Body Chunk chunk, @ExchangeProperty(RunState.PROPERTY) RunState run) {
        run.writes().queued();
        run.currentPage().done(chunk.upstreamSize());
    }

    public void written(@Body ChunkOutcome outcome, @ExchangeProperty(RunState.PROPERTY) RunState run) {
        try {
            run.fold(outcome);
        } finally {
            run.writes().written();
        }
    }

    /** Waits for the writer to finish every queued chunk; fails the run if one could not be written. */
    public void awaitWrites(@ExchangeProperty(RunState.PROPERTY) RunState run) {
        run.writes().awaitAll();
        if (run.writeFailure() != null) {
            throw run.writeFailure();
        }
    }
}
