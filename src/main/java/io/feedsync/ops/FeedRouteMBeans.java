package io.feedsync.ops;

import java.util.concurrent.ThreadPoolExecutor;

import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Producer;
import org.apache.camel.Route;
import org.apache.camel.management.DefaultManagementObjectStrategy;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.ObjectProvider;

import io.feedsync.api.AuditTrail;

/**
 * Which of Camel's MBeans a feed gets: its routes' only — what Hawtio's route tree, the Route
 * Diagram, route statistics and suspend / resume work on. Camel's
 * {@code RoutesOnly} level (application.yaml) leaves out the steps' MBeans but still registers,
 * for each feed, its endpoints, consumers, producers, http component and throttle thread pool: 18
 * more MBeans per feed, about half a MiB of heap with their descriptors, none of them what an
 * operator steers a feed with (and Jolokia refuses endpoint operations anyway). Every other route
 * keeps all of its MBeans. A route's MBean records its suspend and resume in the audit trail
 * ({@link AuditedRoute}).
 */
@org.springframework.stereotype.Component
public class FeedRouteMBeans extends DefaultManagementObjectStrategy implements CamelContextConfiguration {

    private final ObjectProvider<AuditTrail> audit;

    public FeedRouteMBeans(ObjectProvider<AuditTrail> audit) {
        this.audit = audit;
    }

    @Override
    public void beforeApplicationStart(CamelContext context) {
        context.getManagementStrategy().setManagementObjectStrategy(this);
    }

    @Override
    public void afterApplicationStart(CamelContext context) {
    }

    @Override
    public Object getManagedObjectForRoute(CamelContext context, Route route) {
        AuditTrail trail = audit.getIfAvailable();
        if (trail == null || !route.supportsSuspension()) {
            return super.getManagedObjectForRoute(context, route);
        }
        AuditedRoute managed = new AuditedRoute(context, route, trail);
        managed.init(context.getManagementStrategy());
        return managed;
    }

    @Override
    public Object getManagedObjectForEndpoint(CamelContext context, Endpoint endpoint) {
        return ofFeed(endpoint) ? null : super.getManagedObjectForEndpoint(context, endpoint);
    }

    @Override
    public Object getManagedObjectForConsumer(CamelContext context, Consumer consumer) {
        return ofFeed(consumer.getEndpoint()) ? null : super.getManagedObjectForConsumer(context, consumer);
    }

    @Override
    public Object getManagedObjectForProducer(CamelContext context, Producer producer) {
        return ofFeed(producer.getEndpoint()) ? null : super.getManagedObjectForProducer(context, producer);
    }

    @Override
    public Object getManagedObjectForComponent(CamelContext context, Component component, String name) {
        return isUpstream(name) ? null : super.getManagedObjectForComponent(context, component, name);
    }

    @Override
    public Object getManagedObjectForThreadPool(CamelContext context, ThreadPoolExecutor pool, String id,
                                                String sourceId, String routeId, String profileId) {
        return routeId != null && routeId.startsWith("feed-") ? null
                : super.getManagedObjectForThreadPool(context, pool, id, sourceId, routeId, profileId);
    }

    /** The endpoints feed routes are made of: {@code direct:feed-<name>-*}, {@code scheduler:feed-<name>}, {@code upstream-<name>:}. */
    private static boolean ofFeed(Endpoint endpoint) {
        String uri = endpoint.getEndpointUri();
        return uri.startsWith("direct://feed-") || uri.startsWith("scheduler://feed-") || isUpstream(uri);
    }

    /** A feed's own http component ({@code upstream-<name>}, see run/FeedRoutes). */
    private static boolean isUpstream(String name) {
        return name.startsWith("upstream-");
    }
}
