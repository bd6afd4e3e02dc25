package io.feedsync.run;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.camel.Exchange;

import io.feedsync.transform.Chunk;
import io.feedsync.transform.TransformedRecord;

/**
 * A child feed's run gathers its parents' chunks before its writer takes them: a parent is often a page
 * of a few records, and a write transaction for each would make the writer, not the upstream, what
 * bounds the run. Chunks are gathered up to {@code chunk-size} records and handed over as one, in the
 * order they came; what is gathered and not yet handed over is the run's next chunk to queue. Its lock
 * is held while a chunk is gathered and handed over, and while a parent's end is marked (see
 * {@link #endMark}), so that a parent's records are always in a chunk queued no later than its mark.
 */
final class GatheredChunks {

    private final ReentrantLock lock = new ReentrantLock();
    private Exchange pending;
    private List<TransformedRecord> records;
    private int upstreamSize;

    void lock() {
        lock.lock();
    }

    void unlock() {
        lock.unlock();
    }

    /**
     * Adds {@code chunk} (an exchange of its own, whose body is a {@link Chunk}); answers the exchange
     * to hand over now, holding every record gathered, once they are {@code size} or more; else null.
     * Call with the lock held.
     */
    Exchange add(Exchange chunk, int size) {
        Chunk body = chunk.getMessage().getBody(Chunk.class);
        if (pending == null) {
            pending = chunk;
            records = new ArrayList<>(Math.max(size, body.records().size()));
            upstreamSize = 0;
        }
        records.addAll(body.records());
        upstreamSize += body.upstreamSize();
        return records.size() >= size ? take() : null;
    }

    /** Every record gathered as one exchange to hand over, or null when none is; call with the lock held. */
    Exchange take() {
        if (pending == null) {
            return null;
        }
        Exchange whole = pending;
        whole.getMessage().setBody(new Chunk(upstreamSize, records));
        pending = null;
        records = null;
        return whole;
    }

    /** Whether records wait to be handed over; call with the lock held. */
    boolean waiting() {
        return pending != null;
    }

    /**
     * The chunks the writer must have written for every record handed on so far to be written: those
     * queued, and the one that will take what is gathered. Takes the lock.
     */
    long endMark(RunWrites writes) {
        lock.lock();
        try {
            return writes.queuedSoFar() + (pending != null ? 1 : 0);
        } finally {
            lock.unlock();
        }
    }
}
