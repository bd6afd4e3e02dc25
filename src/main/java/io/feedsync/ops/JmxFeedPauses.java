package io.feedsync.ops;

import java.lang.management.ManagementFactory;
import java.security.AccessController;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.security.auth.Subject;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jmx.export.annotation.ManagedAttribute;
import org.springframework.jmx.export.annotation.ManagedOperation;
import org.springframework.jmx.export.annotation.ManagedOperationParameter;
import org.springframework.jmx.export.annotation.ManagedResource;
import org.springframework.jmx.export.naming.SelfNaming;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.util.ObjectUtils;

import io.feedsync.api.AuditTrail;
import io.feedsync.config.FeedCatalog;
import io.feedsync.config.UnknownFeedException;
import io.feedsync.run.FeedPause;
import io.feedsync.run.FeedPauses;
import io.feedsync.run.RunCancels;
import io.feedsync.run.RunFinishedException;
import io.feedsync.run.RunLedger;
import io.feedsync.run.RunRecord;
import io.feedsync.run.RunStatus;

/**
 * Pause and resume over JMX ({@code feedsync:type=Feeds}; Hawtio's JMX tab, Jolokia): the same
 * cluster-wide switch as {@code POST /api/feeds/{feed}/pause} and {@code /resume}, the same code
 * ({@link FeedPauses}), recorded in the audit trail in the same transaction, as the API's are; and
 * cancelling a run, or every run of a feed, as {@code POST /api/runs/{id}/cancel} does ({@link RunCancels}),
 * audited as {@code cancel}. The actor is whoever Spring Security let in (the API key's or console
 * user's name, through Jolokia), else the JMX connection's user, else {@code jmx}.
 */
@Component
@ManagedResource(description = "Pause / resume a feed, cancel runs, on every node sharing the database (as the API does)")
public class JmxFeedPauses implements SelfNaming {

    public static final String OBJECT_NAME = "feedsync:type=Feeds";
    /** As the API: a longer reason is refused. */
    private static final int MAX_REASON = 500;

    private final FeedPauses pauses;
    private final AuditTrail audit;
    private final RunCancels cancels;
    private final RunLedger ledger;
    private final FeedCatalog catalog;
    private final ObjectName name;

    public JmxFeedPauses(FeedPauses pauses, AuditTrail audit, RunCancels cancels, RunLedger ledger, FeedCatalog catalog,
                         ObjectProvider<MBeanServer> server) throws MalformedObjectNameException {
        this.cancels = cancels;
        this.ledger = ledger;
        this.catalog = catalog;
        this.pauses = pauses;
        this.audit = audit;
        ObjectName plain = new ObjectName(OBJECT_NAME);
        // another feedsync application in the same JVM (tests) has the plain name: this one is told apart
        this.name = server.getIfAvailable(ManagementFactory::getPlatformMBeanServer).isRegistered(plain)
                ? new ObjectName(OBJECT_NAME + ",instance=" + ObjectUtils.getIdentityHexString(this)) : plain;
    }

    /** {@value #OBJECT_NAME}, unless another application of this JVM has it already. */
    @Override
    public ObjectName getObjectName() {
        return name;
    }

    @ManagedAttribute(description = "How many feeds this node runs: configured, and defined over the API as far as it has followed them")
    public int getFeedCount() {
        return catalog.all().size();
    }

    @ManagedOperation(description = "Pauses the feed on every node: no timer fire, REST or command-line run starts until it is resumed")
    @ManagedOperationParameter(name = "feed", description = "the feed's name")
    @ManagedOperationParameter(name = "reason", description = "why (optional, at most 500 characters)")
    public String pause(String feed, String reason) {
        String why = reason == null || reason.isBlank() ? null : reason;
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("via", "jmx");
        arguments.put("reason", why);
        AuditTrail.Action action = audit.action(actor(), "pause", feed, arguments);
        if (why != null && why.length() > MAX_REASON) {
            audit.refused(action, 400, "bad_request");
            throw new IllegalArgumentException("the reason must be at most " + MAX_REASON + " characters");
        }
        FeedPause pause = known(action, () -> audit.together(action, () -> pauses.pause(feed, action.actor(), why),
                paused -> 200));
        return describe(pause);
    }

    @ManagedOperation(description = "Resumes a paused feed on every node: its next timer fire, REST or command-line run starts again")
    @ManagedOperationParameter(name = "feed", description = "the feed's name")
    public String resume(String feed) {
        AuditTrail.Action action = audit.action(actor(), "resume", feed, Map.of("via", "jmx"));
        boolean resumed = known(action, () -> audit.together(action, () -> pauses.resume(feed, action.actor()),
                done -> 200));
        return "feed " + feed + (resumed ? " resumed" : " was not paused");
    }

    @ManagedOperation(description = "Cancels a QUEUED or RUNNING run, on whichever node it runs: a QUEUED one ends "
            + "CANCELLED at once, a RUNNING one at its next page or retry wait, resumable by the feed's next run")
    @ManagedOperationParameter(name = "runId", description = "the run's id")
    public String cancel(long runId) {
        RunRecord run = ledger.find(runId).orElse(null);
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("via", "jmx");
        arguments.put("runId", runId);
        AuditTrail.Action action = audit.action(actor(), "cancel", run == null ? null : run.feed(), arguments);
        if (run == null) {
            audit.refused(action, 404, "not_found");
            throw new IllegalArgumentException("no run with id " + runId);
        }
        RunRecord now;
        try {
            now = cancels.cancel(runId, action.actor(), "cancelled by " + action.actor() + " over JMX");
        } catch (RunFinishedException e) {
            audit.refused(action, 409, "run_finished");
            throw new IllegalArgumentException(e.getMessage());
        }
        audit.succeeded(action, 202, runId);
        return "run " + runId + " of feed " + now.feed() + (now.status() == RunStatus.CANCELLED ? " CANCELLED"
                : " is " + now.status() + ": it stops at its next page or retry wait");
    }

    @ManagedOperation(description = "Cancels the feed's QUEUED and RUNNING runs, on every node")
    @ManagedOperationParameter(name = "feed", description = "the feed's name")
    public String cancelRuns(String feed) {
        AuditTrail.Action action = audit.action(actor(), "cancel", feed, Map.of("via", "jmx"));
        known(action, () -> catalog.get(feed));
        List<Long> runs = cancels.cancelFeed(feed, action.actor(), "cancelled by " + action.actor() + " over JMX");
        audit.succeeded(action, 202, runs.size() == 1 ? runs.get(0) : null);
        return runs.isEmpty() ? "feed " + feed + " has no QUEUED or RUNNING run"
                : "feed " + feed + ": cancelled run(s) " + runs;
    }

    @ManagedOperation(description = "The paused feeds: since when, by whom, why")
    public Map<String, String> paused() {
        Map<String, String> paused = new TreeMap<>();
        pauses.all().forEach((feed, pause) -> paused.put(feed, describe(pause)));
        return paused;
    }

    /** An unknown feed is refused as the API refuses it (404), and said plainly to the JMX client. */
    private <T> T known(AuditTrail.Action action, java.util.function.Supplier<T> change) {
        try {
            return change.get();
        } catch (UnknownFeedException e) {
            audit.refused(action, 404, "not_found");
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static String describe(FeedPause pause) {
        return "paused since " + pause.pausedAt() + " by " + pause.pausedBy()
                + (pause.reason() == null ? "" : ": " + pause.reason());
    }

    @SuppressWarnings("removal")
    static String actor() {
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        if (caller != null && caller.isAuthenticated() && !(caller instanceof AnonymousAuthenticationToken)) {
            return caller.getName();
        }
        // a JMX connector with authentication runs the operation as its user's Subject
        Subject subject = Subject.getSubject(AccessController.getContext());
        if (subject != null) {
            for (Principal principal : subject.getPrincipals()) {
                return principal.getName();
            }
        }
        return "jmx";
    }
}
