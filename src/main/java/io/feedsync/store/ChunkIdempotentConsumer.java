package io.feedsync.store;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.spi.IdempotentRepository;
import org.springframework.stereotype.Component;

import io.feedsync.transform.Chunk;

/**
 * The idempotent consumer of the sync route, for a whole chunk at once: each record's message id
 * (run, key hash, content hash) is offered to the feed's {@link IdempotentRepository}
 * ({@link RecordHashes}), as Camel's {@code idempotentConsumer} EIP does for one exchange, and a
 * record already applied with this content stays in the chunk marked unchanged: counted, seen by
 * a full run, never written. (Camel's EIP decides once per exchange, and an exchange here carries
 * a chunk, so this step takes its place under the id {@code idempotent-consumer}.)
 */
@Component("chunkIdempotentConsumer")
public class ChunkIdempotentConsumer implements Processor {

    private final RecordHashes repository;

    public ChunkIdempotentConsumer(RecordHashes repository) {
        this.repository = repository;
    }

    @Override
    public void process(Exchange exchange) {
        StoreRun run = exchange.getProperty(StoreRun.PROPERTY, StoreRun.class);
        exchange.getMessage().getBody(Chunk.class).eachRecord(record ->
                repository.add(run.runId(), record.digest().keyHash(), record.digest().contentHash())
                        ? record : record.asUnchanged());
    }
}
