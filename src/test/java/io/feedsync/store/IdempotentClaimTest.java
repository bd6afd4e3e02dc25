package io.feedsync.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.RunMode;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.transform.Chunk;
import io.feedsync.transform.TargetRow;
import io.feedsync.transform.TransformedRecord;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The idempotent consumer claims a chunk's records for the run only once the chunk is queued for
 * the writer: a chunk that failed on the way (and whose page is read again) is not taken for applied,
 * while a repeat after a queued chunk is a duplicate.
 */
class IdempotentClaimTest extends FeedsyncTest {

    @Autowired
    CamelContext camel;
    @Autowired
    RecordHashes hashes;
    @Autowired
    ChunkIdempotentConsumer consumer;
    @Autowired
    FeedCatalog feeds;

    @Test
    void aChunkThatNeverReachedTheWriterIsNotTakenForAppliedWhenReadAgain() {
        StoreRun run = new StoreRun(-4242L, feeds.get("plans-paged"), RunMode.FULL, false, false, false, false, false);
        hashes.load(run);
        try {
            Exchange failedOnTheWay = checked(run, chunk("Payer_1", "Payer_2"));
            assertThat(applied(failedOnTheWay)).containsExactly("Payer_1", "Payer_2");

            Exchange readAgain = checked(run, chunk("Payer_1", "Payer_2"));
            assertThat(applied(readAgain)).as("not claimed: its chunk was never queued").containsExactly("Payer_1", "Payer_2");

            hashes.claim(run, readAgain.getProperty(ChunkIdempotentConsumer.CLAIMS, long[].class));
            Exchange repeated = checked(run, chunk("Payer_1", "Payer_2", "Payer_3"));
            assertThat(applied(repeated)).as("claimed once queued: a repeat is a duplicate").containsExactly("Payer_3");
        } finally {
            hashes.release(run);
        }
    }

    @Test
    void aRecordRepeatedInsideOneChunkIsAppliedOnce() {
        StoreRun run = new StoreRun(-4243L, feeds.get("plans-paged"), RunMode.FULL, false, false, false, false, false);
        hashes.load(run);
        try {
            assertThat(applied(checked(run, chunk("Payer_7", "Payer_7")))).containsExactly("Payer_7");
        } finally {
            hashes.release(run);
        }
    }

    private Exchange checked(StoreRun run, Chunk chunk) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(StoreRun.PROPERTY, run);
        exchange.getMessage().setBody(chunk);
        consumer.process(exchange);
        return exchange;
    }

    private static List<String> applied(Exchange exchange) {
        return exchange.getMessage().getBody(Chunk.class).records().stream()
                .filter(TransformedRecord::toApply).map(TransformedRecord::key).toList();
    }

    private static Chunk chunk(String... keys) {
        List<TransformedRecord> records = new ArrayList<>();
        for (String key : keys) {
            records.add(new TransformedRecord(key, List.of(new TargetRow("test_plans",
                    Map.of("epa_type", key, "ncpdp_version", "v1"))), null));
        }
        return new Chunk(keys.length, records);
    }
}
