package io.feedsync.ops;

import java.lang.management.ManagementFactory;
import java.security.AccessController;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.security.auth.Subject;

import org.springframework.beans.factory.ObjectProvider;
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
import io.feedsync.config.UnknownFeedException;
import io.feedsync.run.FeedPause;
import io.feedsync.run.FeedPauses;

/**
 * Pause and resume over JMX ({@code feedsync:type=Feeds}; Hawtio's JMX tab, Jolokia): the same
 * cluster-wide switch as {@code POST /api/feeds/{feed}/pause} and {@code /resume}, the same code
 * ({@link FeedPauses}), recorded in the audit trail in the same transaction, as the API's are. The
 * actor is whoever Spring Security let in (the API key's or console user's name, through Jolokia),
 * else the JMX connection's user, else {@code jmx}.
 */
@Component
@ManagedResource(description = "Pause / resume a feed on every node sharing the database (the API's pause)")
public class JmxFeedPauses implements SelfNaming {

    public static final String OBJECT_NAME = "feedsync:type=Feeds";
    /** As the API: a longer reason is refused. */
    private static final int MAX_REASON = 500;

    private final FeedPauses pauses;
    private final AuditTrail audit;
    private final ObjectName name;

    public JmxFeedPauses(FeedPauses pauses, AuditTrail audit, ObjectProvider<MBeanServer> server)
            throws MalformedObjectNameException {
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
