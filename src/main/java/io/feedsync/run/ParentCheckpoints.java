package io.feedsync.run;

import java.time.Duration;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.feedsync.store.SeenKeys;

/**
 * Where a child feed's run stands, kept as it goes: the parents fetched whole (a full run soft-deletes
 * only their children) and its checkpoint — after the last parent of the longest run of parents, in key
 * order, fetched and written — saved at most every {@link #EVERY} while it runs, and once more as it fails.
 */
@Component
public class ParentCheckpoints {

    private static final Logger log = LoggerFactory.getLogger(ParentCheckpoints.class);
    static final Duration EVERY = Duration.ofSeconds(1);
    /** Parents fetched whole kept in memory before they are recorded. */
    private static final int SEEN_BATCH = 500;

    private final RunLedger ledger;
    private final SeenKeys seenKeys;

    public ParentCheckpoints(RunLedger ledger, SeenKeys seenKeys) {
        this.ledger = ledger;
        this.seenKeys = seenKeys;
    }

    /** After a parent ended or a chunk was written: the checkpoint moves past what is now committed. */
    void progress(RunState run, long written) {
        ParentRun parents = run.parents();
        if (parents.seenWaiting() >= SEEN_BATCH) {
            recordSeen(run);
        }
        if (parents.advance(written)) {
            save(run, false);
        }
    }

    /** Records the parents fetched whole so far (a full run that soft-deletes needs them at its end). */
    void recordSeen(RunState run) {
        List<List<String>> seen = run.parents().takeSeen();
        if (run.store().seesKeys()) {
            seenKeys.recordParents(run.runId(), seen);
        }
    }

    /** Every chunk of the run is written: every parent done is committed, and the ones fetched whole on record. */
    void allWritten(RunState run) {
        run.parents().advance(run.writes().committedChunks());
        recordSeen(run);
    }

    /** The run fails: every chunk it queued is written by now; its checkpoint goes as far as that allows. */
    void failing(RunState run) {
        try {
            run.parents().advance(run.writes().committedChunks());
            recordSeen(run);
            save(run, true);
        } catch (RuntimeException unavailable) {
            log.warn("Feed {} run {}: could not save its checkpoint ({})", run.feed().name(), run.runId(),
                    unavailable.getMessage());
        }
    }

    private void save(RunState run, boolean now) {
        if (!run.request().checkpoints()) {
            return;
        }
        // one save at a time: a newer checkpoint is never overwritten by an older one taken before it
        synchronized (run.parents()) {
            List<String> after = run.parents().takeMoved(now, EVERY);
            if (after == null) {
                return;
            }
            // the parents before the checkpoint that were fetched whole must be on record before it is
            recordSeen(run);
            try {
                ledger.checkpoint(run.runId(), run.parentCheckpoint(after));
            } catch (RuntimeException unavailable) {
                log.warn("Feed {} run {}: could not save its checkpoint ({})", run.feed().name(), run.runId(),
                        unavailable.getMessage());
            }
        }
    }
}
