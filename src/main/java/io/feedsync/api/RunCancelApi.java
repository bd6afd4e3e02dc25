package io.feedsync.api;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

import io.feedsync.api.security.FeedScope;
import io.feedsync.run.RunCancels;
import io.feedsync.run.RunLedger;
import io.feedsync.run.RunRecord;

/**
 * {@code POST /api/runs/{id}/cancel}: cancels a QUEUED or RUNNING run on whichever node it runs
 * ({@link RunCancels}) and answers 202 with the run as it stands now — CANCELLED already if it was
 * QUEUED, else still RUNNING until its node stops it at its next page or retry wait. A run of a feed
 * the caller does not see is unknown to it (404), as for {@code GET /api/runs/{id}}; a run that has
 * ended is a 409 {@code run_finished}.
 */
@Component("apiRunCancels")
public class RunCancelApi {

    private final RunLedger ledger;
    private final RunCancels cancels;
    private final AuditTrail audit;

    public RunCancelApi(RunLedger ledger, RunCancels cancels, AuditTrail audit) {
        this.ledger = ledger;
        this.cancels = cancels;
        this.audit = audit;
    }

    public RunView cancel(@ExchangeProperty("runId") long runId, @ExchangeProperty("scope") FeedScope scope,
                          @ExchangeProperty("caller") String caller, Exchange exchange) {
        RunRecord run = ledger.find(runId).filter(found -> scope.sees(found.feed()))
                .orElseThrow(() -> new NotFoundException("no run with id " + runId));
        audit.concerning(exchange, run.feed());
        RunRecord now = cancels.cancel(runId, caller, "cancelled by " + caller + " over the API");
        Message message = exchange.getMessage();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        message.setHeader("Location", "/api/runs/" + runId);
        return RunView.of(now);
    }
}
