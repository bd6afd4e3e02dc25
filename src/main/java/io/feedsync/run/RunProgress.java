package io.feedsync.run;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;

import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.feedsync.upstream.PageProgress;

/**
 * After each page of a run: a chunk the writer could not write fails the run now, the page counts
 * for the prefetch bound, and the run's progress is saved (and logged every 10 seconds), which tells
 * it whether it was cancelled meanwhile.
 */
@Component("runProgress")
public class RunProgress {

    private static final Logger log = LoggerFactory.getLogger(RunProgress.class);
    private static final Duration LOG_EVERY = Duration.ofSeconds(10);
    private static final Duration CHILD_PROGRESS_EVERY = Duration.ofMillis(250);

    private final RunLedger ledger;

    public RunProgress(RunLedger ledger) {
        this.ledger = ledger;
    }

    public void pageDone(@ExchangeProperty(RunState.PROPERTY) RunState run,
                         @ExchangeProperty(PageProgress.PROPERTY) PageProgress pages) {
        if (run.writeFailure() != null) {
            throw run.writeFailure();
        }
        // a child feed's run resumes at a parent, not a page (ParentCheckpoints), and keeps no page ends: its
        // pages are many, and its chunks in flight are bounded by the hand-over and its concurrency
        URI committed = run.parents() == null ? run.writes().pageRead(pages.nextPage()) : null;
        if (committed != null && run.request().checkpoints()) {
            ledger.checkpoint(run.runId(), run.checkpoint(committed, run.writes().committedPages()));
        }
        // a cancel recorded by any node meanwhile: the run stops before its next page (RunGuard.held);
        // a child feed's parents, a page each and many at once, save their progress a few times a second
        if (run.parents() == null || run.progressDue(CHILD_PROGRESS_EVERY)) {
            ledger.progress(run).ifPresent(run::stop);
        }
        Instant now = Instant.now();
        if (pages.hasMorePages() && Duration.between(run.lastProgressLog(), now).compareTo(LOG_EVERY) >= 0) {
            run.progressLogged(now);
            long seconds = Math.max(1, Duration.between(run.startedAt(), now).toSeconds());
            log.info("Feed {} run {}: {} pages, {} records ({} records/s)", run.feed().name(), run.runId(),
                    run.pages(), run.counts().fetched(), run.counts().fetched() / seconds);
        }
    }
}
