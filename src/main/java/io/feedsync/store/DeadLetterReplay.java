package io.feedsync.store;

import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.feedsync.transform.Chunk;
import io.feedsync.transform.RecordRejectedException;
import io.feedsync.transform.RecordTransformer;
import io.feedsync.transform.TransformedRecord;

/**
 * The step of the replay route: one dead letter back through transform and upsert. One that
 * lands is marked replayed (by this run), and so are the older letters of its record; one that
 * fails again stays, with the new reason.
 */
@Component("deadLetterReplay")
public class DeadLetterReplay {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterReplay.class);

    private final RecordTransformer transformer;
    private final ChunkWriter writer;
    private final DeadLetters deadLetters;

    public DeadLetterReplay(RecordTransformer transformer, ChunkWriter writer, DeadLetters deadLetters) {
        this.transformer = transformer;
        this.writer = writer;
        this.deadLetters = deadLetters;
    }

    /** Replays one letter; answers what it did, for the run to count. */
    public ChunkOutcome replay(@Body DeadLetter letter, @ExchangeProperty(StoreRun.PROPERTY) StoreRun run) {
        try {
            TransformedRecord record = transformer.transform(letter.payload(), run.feed(),
                    letter.parent() == null ? java.util.Map.of() : letter.parent());
            ChunkOutcome written = writer.writeNow(run, record);
            deadLetters.markReplayed(letter.id(), run.runId());
            // an older letter of the record that failed again must not be replayed over this one later
            deadLetters.settleOlder(letter, record.key(), run.runId());
            return written;
        } catch (RecordRejectedException e) {
            return failedAgain(letter, run, e);
        } catch (RuntimeException e) {
            if (!DatabaseFailure.isBadData(e)) {
                throw e;
            }
            return failedAgain(letter, run, e);
        }
    }

    private ChunkOutcome failedAgain(DeadLetter letter, StoreRun run, RuntimeException failure) {
        deadLetters.failedAgain(letter.id(), failure);
        log.warn("Feed {} run {}: dead letter {} failed again: {}", run.feed().name(), run.runId(), letter.id(),
                DeadLetters.reason(failure));
        return ChunkOutcome.rejected(new Chunk.Rejection(letter.payload(), null, failure));
    }
}
