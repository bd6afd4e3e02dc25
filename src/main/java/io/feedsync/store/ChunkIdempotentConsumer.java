package io.feedsync.store;

import java.util.HashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.spi.IdempotentRepository;
import org.springframework.stereotype.Component;

import io.feedsync.transform.Chunk;
import io.feedsync.transform.TransformedRecord;

/**
 * The idempotent consumer of the sync route, for a whole chunk at once: each record's message id
 * (run, key hash, content hash) is looked up in the feed's {@link IdempotentRepository}
 * ({@link RecordHashes}), as Camel's {@code idempotentConsumer} EIP does for one exchange, and a
 * record already applied with this content stays in the chunk marked unchanged: counted, seen by
 * a full run, never written. (Camel's EIP decides once per exchange, and an exchange here carries
 * a chunk, so this step takes its place under the id {@code idempotent-consumer}.)
 * <p>
 * The lookup claims nothing: the chunk's records enter the run's index only once the chunk is
 * queued for the writer ({@link RecordHashes#claim}), so a chunk that fails before that — and is
 * read again — is not taken for applied.
 */
@Component("chunkIdempotentConsumer")
public class ChunkIdempotentConsumer implements Processor {

    /** The exchange property holding the chunk's claims: key hash, content hash, key hash, … */
    public static final String CLAIMS = "feedsyncClaims";

    private final RecordHashes repository;

    public ChunkIdempotentConsumer(RecordHashes repository) {
        this.repository = repository;
    }

    @Override
    public void process(Exchange exchange) {
        StoreRun run = exchange.getProperty(StoreRun.PROPERTY, StoreRun.class);
        Chunk chunk = exchange.getMessage().getBody(Chunk.class);
        // a key met earlier in this chunk: its content then, which the index does not hold yet
        Map<Long, Long> inChunk = new HashMap<>();
        chunk.eachRecord(record -> {
            long key = record.digest().keyHash();
            long content = record.digest().contentHash();
            Long earlier = inChunk.put(key, content);
            RecordHashes.Offer offer = earlier == null ? repository.check(run.runId(), key, content)
                    : earlier == content ? RecordHashes.Offer.DUPLICATE : RecordHashes.Offer.CHANGED;
            return switch (offer) {
                case DUPLICATE -> record.asUnchanged();
                case CHANGED -> record;
                case UNSEEN_KEY -> record.asUnseenKey();
            };
        });
        exchange.setProperty(CLAIMS, claims(chunk));
    }

    private static long[] claims(Chunk chunk) {
        long[] claims = new long[chunk.size() * 2];
        int at = 0;
        for (TransformedRecord record : chunk.records()) {
            if (record.toApply()) {
                claims[at++] = record.digest().keyHash();
                claims[at++] = record.digest().contentHash();
            }
        }
        return java.util.Arrays.copyOf(claims, at);
    }
}
