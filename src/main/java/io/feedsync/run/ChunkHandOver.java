package io.feedsync.run;

import java.util.concurrent.ExecutorService;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.feedsync.store.ChunkOutcome;

/**
 * Hands each chunk of a run to the feed's writer route ({@code feed-<name>-write}) on a thread of
 * the node's writer pool, after the run's chunks before it ({@link RunWrites#handOver}): the run's
 * thread fetches and parses on while its chunks are written one at a time, in order. While
 * {@value RunWrites#IN_FLIGHT} of its chunks are not yet written, the run's thread waits here.
 * <p>
 * The pool is shared by every feed and holds a thread only while a run is writing: a writer of
 * its own per feed (a seda consumer, polling) made 1,000 feeds 1,000 idle threads.
 */
@Component("chunkHandOver")
public class ChunkHandOver {

    private static final Logger log = LoggerFactory.getLogger(ChunkHandOver.class);

    private final ProducerTemplate producer;
    private final RunChunks runChunks;
    private final ExecutorService writers;

    public ChunkHandOver(CamelContext camel, ProducerTemplate producer, RunChunks runChunks) {
        this.producer = producer;
        this.runChunks = runChunks;
        // stopped with Camel, after its routes
        this.writers = camel.getExecutorServiceManager().newCachedThreadPool(this, "feed-writer");
    }

    /**
     * Queues the exchange's chunk for {@code writer}, the feed's writer route. A child feed's chunks are
     * gathered up to {@code chunk-size} records first (see {@link GatheredChunks}), from every parent in flight.
     */
    public void queue(Exchange exchange, String writer) throws InterruptedException {
        RunState run = exchange.getProperty(RunState.PROPERTY, RunState.class);
        // the chunk's own exchange goes back to the split as soon as this returns
        Exchange chunk = exchange.copy();
        GatheredChunks gathered = run.gathered();
        if (gathered == null) {
            handOver(writer, chunk, run);
            return;
        }
        gathered.lock();
        try {
            Exchange ready = gathered.add(chunk, run.feed().chunkSize());
            if (ready != null) {
                handOver(writer, ready, run);
            }
        } finally {
            gathered.unlock();
        }
    }

    /** A child feed's run: what its parents' chunks gathered and not yet handed over goes to {@code writer} now. */
    public void flush(RunState run, String writer) throws InterruptedException {
        GatheredChunks gathered = run.gathered();
        gathered.lock();
        try {
            Exchange rest = gathered.take();
            if (rest != null) {
                handOver(writer, rest, run);
            }
        } finally {
            gathered.unlock();
        }
    }

    private void handOver(String writer, Exchange chunk, RunState run) throws InterruptedException {
        run.writes().queued();
        run.writes().handOver(() -> write(writer, chunk, run), writers);
    }

    private void write(String writer, Exchange chunk, RunState run) {
        long before = run.writes().writtenSoFar();
        Exchange done = producer.send(writer, chunk);
        Exception failure = done.getException();
        if (failure == null) {
            return;
        }
        if (run.writes().writtenSoFar() == before) {
            // the writer route never took the chunk (stopped, or removed meanwhile): the run fails
            // rather than wait for it
            runChunks.written(ChunkOutcome.failed(new IllegalStateException(
                    "the chunk could not be handed to " + writer + ": " + failure.getMessage(), failure)), run);
        } else {
            log.warn("Feed {} run {}: the writer route failed after writing a chunk: {}", run.feed().name(),
                    run.runId(), failure.getMessage());
        }
    }
}
