package io.feedsync.notify;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.feedsync.upstream.GuardedHttpComponent;
import io.feedsync.upstream.OutboundAddresses;

/**
 * Where a feed's webhooks are sent: a configured feed's endpoint URIs as written; a feed defined over
 * the API's {@code http} and {@code https} ones through the {@value #COMPONENT} component
 * ({@code https://hooks.example.org/x} is sent as {@code guarded-http:https://hooks.example.org/x}),
 * whose connections are checked as the feed's pages are ({@link OutboundAddresses}). The endpoint keeps
 * its name as written everywhere it is shown.
 */
@Configuration(proxyBeanMethods = false)
public class WebhookEndpoints {

    public static final String COMPONENT = "guarded-http";

    private final OutboundAddresses outbound;

    public WebhookEndpoints(OutboundAddresses outbound) {
        this.outbound = outbound;
    }

    @Bean(COMPONENT)
    GuardedHttpComponent guardedHttp() {
        return new GuardedHttpComponent(outbound.resolver());
    }

    /** The URI the feed's endpoint {@code uri} is sent to. */
    public String uri(String feed, String uri) {
        int colon = uri.indexOf(':');
        String scheme = colon < 0 ? "" : uri.substring(0, colon);
        if (!outbound.guards(feed) || !scheme.equals("http") && !scheme.equals("https")) {
            return uri;
        }
        String rest = uri.substring(colon + 1);
        return COMPONENT + ":" + scheme + "://" + (rest.startsWith("//") ? rest.substring(2) : rest);
    }
}
