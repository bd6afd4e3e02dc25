package io.feedsync.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.management.mbean.ManagedSuspendableRoute;

import io.feedsync.api.AuditTrail;

/**
 * A route's MBean whose suspend and resume, the route control the console allows
 * (jolokia-access.xml), are recorded in the audit trail as the API's actions are:
 * {@code suspend-route} / {@code resume-route}, by whom (the console user or API key Jolokia was
 * called with), the feed the route is part of, the route; a failure with status 500. Public, as JMX
 * calls its operations by reflection.
 */
public class AuditedRoute extends ManagedSuspendableRoute {

    private static final Pattern FEED_ROUTE = Pattern.compile("feed-(.+)-notify-[0-9]+");

    private final AuditTrail audit;

    AuditedRoute(CamelContext context, Route route, AuditTrail audit) {
        super(context, route);
        this.audit = audit;
    }

    @Override
    public void suspend() throws Exception {
        audited("suspend-route", null, super::suspend);
    }

    @Override
    public void suspend(long timeout) throws Exception {
        audited("suspend-route", timeout, () -> super.suspend(timeout));
    }

    @Override
    public void resume() throws Exception {
        audited("resume-route", null, super::resume);
    }

    private void audited(String what, Long timeout, Step step) throws Exception {
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("via", "jmx");
        arguments.put("route", getRouteId());
        if (timeout != null) {
            arguments.put("timeout", timeout);
        }
        Matcher feed = FEED_ROUTE.matcher(getRouteId());
        AuditTrail.Action action = audit.action(JmxFeedPauses.actor(), what, feed.matches() ? feed.group(1) : null,
                arguments);
        try {
            step.run();
        } catch (Exception e) {
            audit.refused(action, 500, "internal");
            throw e;
        }
        // the route is suspended (resumed): its row, once that is so
        audit.together(action, () -> Boolean.TRUE, done -> 200);
    }

    private interface Step {
        void run() throws Exception;
    }
}
