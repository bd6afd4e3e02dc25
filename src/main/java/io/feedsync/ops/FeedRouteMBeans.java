package io.feedsync.ops;

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
 * Which of Camel's MBeans a feed gets: none. The routes are shared by every feed and keep theirs
 * (Hawtio's route tree, the Route Diagram, route statistics, suspend / resume); what a feed has of its
 * own — its http component {@code upstream-<name>}, the endpoints the fetch route resolves on it, their
 * producers — gets no MBean: one set per feed, about half a MiB of heap with their descriptors at 1,000
 * feeds, none of them what an operator steers a feed with (that is {@code feedsync:type=Feeds}, and
 * Jolokia refuses endpoint operations anyway). A route's MBean records its suspend and resume in the
 * audit trail ({@link AuditedRoute}).
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

    /** An endpoint on a feed's own http component: {@code upstream-<name>:upstream}. */
    private static boolean ofFeed(Endpoint endpoint) {
        return isUpstream(endpoint.getEndpointUri());
    }

    /** A feed's own http component ({@code upstream-<name>}, see run/FeedUpstreams). */
    private static boolean isUpstream(String name) {
        return name.startsWith("upstream-");
    }
}
