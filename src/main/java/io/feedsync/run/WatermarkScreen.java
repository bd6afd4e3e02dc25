package io.feedsync.run;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;

import io.feedsync.config.RunMode;
import io.feedsync.transform.Chunk;
import io.feedsync.transform.RecordRejectedException;
import io.feedsync.transform.TransformedRecord;
import io.feedsync.upstream.Incremental;

/**
 * The incremental screen of the sync route: reads the cursor of each record of the chunk, keeps the highest one
 * seen for the watermark, and marks records older than the run's starting watermark (a selective run: outside its
 * since..until) as stale.
 * In an incremental run a record without a usable cursor is rejected (dead-lettered): nobody
 * could say whether it is newer than the watermark; the chunk goes on.
 */
@Component("watermarkScreen")
public class WatermarkScreen implements Processor {

    @Override
    public void process(Exchange exchange) {
        RunState run = exchange.getProperty(RunState.PROPERTY, RunState.class);
        if (run.feed().source().incremental() != null) {
            exchange.getMessage().getBody(Chunk.class).eachRecord(record -> screen(record, run));
        }
    }

    public TransformedRecord screen(TransformedRecord record, RunState run) {
        Incremental incremental = run.feed().source().incremental();
        if (incremental == null) {
            return record;
        }
        String cursor = incremental.cursorOf(record.source());
        boolean incrementalRun = run.request().mode() == RunMode.INCREMENTAL;
        if (cursor == null || cursor.isEmpty()) {
            if (incrementalRun) {
                throw new RecordRejectedException("record has no cursor value at " + incremental.cursorPointer());
            }
            return record;
        }
        try {
            incremental.check(cursor);
        } catch (IllegalArgumentException e) {
            throw new RecordRejectedException(e.getMessage());
        }
        // a selective run with an end: records after it are left alone, and raise no watermark
        RunRange range = run.request().range();
        if (range != null && range.endsBefore(incremental, cursor)) {
            return record.asStale();
        }
        run.cursors().seen(cursor);
        // the watermark less source.incremental.lookback: late records just behind it are applied
        String watermark = run.screenFrom();
        if (incrementalRun && watermark != null && incremental.order().compare(cursor, watermark) < 0) {
            return record.asStale();
        }
        return record;
    }
}
