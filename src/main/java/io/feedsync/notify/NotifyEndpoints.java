package io.feedsync.notify;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.util.URISupport;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriUtils;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.SecretPlaceholders;

/**
 * The endpoints of a feed's {@code notify} section as they are sent to and as they are shown. A feed
 * defined over the API keeps its endpoint URIs as written, {@code ${NAME}} placeholders and all: that
 * is how the API, the metrics, {@code sync_delivery} and the logs name them. Only the producer gets
 * the secrets, resolved from the node's environment (the names were checked when the feed was
 * defined): the delivery route sends to it by reference ({@link #routeUri}), a run notification hands
 * it the resolved URIs. A failure that quotes the URI sent to has those values put back as
 * placeholders ({@link #scrub}).
 * A configured feed's URIs are used as Spring resolved them.
 */
@Component("notifyEndpoints")
public class NotifyEndpoints {

    /** Shorter values are not secrets, and replacing them would garble the text. */
    private static final int SHORTEST_SECRET = 4;

    private final FeedCatalog catalog;
    private final Environment environment;
    private final WebhookEndpoints webhooks;
    private final AtomicLong bindings = new AtomicLong();
    private final Map<String, List<String>> bound = new ConcurrentHashMap<>();

    public NotifyEndpoints(FeedCatalog catalog, Environment environment, WebhookEndpoints webhooks) {
        this.catalog = catalog;
        this.environment = environment;
        this.webhooks = webhooks;
    }

    /**
     * The URI the feed's producer sends to: a feed defined over the API has its placeholders resolved,
     * and its http(s) endpoints go through the guarded component ({@link WebhookEndpoints}).
     */
    public String producerUri(String feed, String uri) {
        if (catalog.isConfigured(feed)) {
            return uri;
        }
        return webhooks.uri(feed, SecretPlaceholders.PLACEHOLDER.matcher(uri)
                .replaceAll(placeholder -> Matcher.quoteReplacement(environment.getRequiredProperty(placeholder.group(1)))));
    }

    public List<String> producerUris(String feed, List<String> uris) {
        return uris.stream().map(uri -> producerUri(feed, uri)).toList();
    }

    /**
     * What the delivery route of the feed's {@code n}th endpoint sends to: a configured feed's URI; for
     * a feed defined over the API, {@code ref:} its producer's endpoint, made here and bound in Camel's
     * registry, so that the route — its definition, its dumps, the console's diagram — never holds
     * the resolved URI. Each call binds a new name: Camel caches endpoints by URI.
     */
    String routeUri(CamelContext camel, String feed, int n, String uri) {
        if (catalog.isConfigured(feed)) {
            return uri;
        }
        String name = "feed-" + feed + "-notify-" + n + "-producer-" + bindings.incrementAndGet();
        camel.getRegistry().bind(name, Endpoint.class, camel.getEndpoint(producerUri(feed, uri)));
        bound.computeIfAbsent(feed, none -> new CopyOnWriteArrayList<>()).add(name);
        return "ref:" + name;
    }

    /** The feed's delivery routes are gone: so are the names their producers were bound under. */
    void unbind(CamelContext camel, String feed) {
        List<String> names = bound.remove(feed);
        if (names != null) {
            names.forEach(camel.getRegistry()::unbind);
        }
    }

    /**
     * How an endpoint was named in {@code sync_delivery} before API feeds' endpoints were named as
     * written: its resolved URI, masked by Camel. Null when that is its name now.
     */
    String formerName(String feed, String uri) {
        if (catalog.isConfigured(feed) || !SecretPlaceholders.any(uri)) {
            return null;
        }
        String former = URISupport.sanitizeUri(environment.resolvePlaceholders(uri));
        return former.equals(ChangeDeliveries.name(uri)) ? null : former;
    }

    /**
     * The text with the value of every placeholder of these endpoint URIs (as written) put back as the
     * placeholder. Told the URIs, not the feed: a feed deleted meanwhile is no longer in the catalog.
     */
    public String scrub(Collection<String> uris, String text) {
        if (text == null) {
            return null;
        }
        String scrubbed = text;
        for (String name : uris.stream().flatMap(uri -> SecretPlaceholders.names(uri).stream()).distinct().toList()) {
            String value = environment.getProperty(name);
            if (value == null || value.length() < SHORTEST_SECRET) {
                continue;
            }
            for (String spelling : List.of(value, URLEncoder.encode(value, StandardCharsets.UTF_8),
                    UriUtils.encode(value, StandardCharsets.UTF_8))) {
                scrubbed = scrubbed.replace(spelling, "${" + name + "}");
            }
        }
        return scrubbed;
    }
}
