package io.feedsync.upstream;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.camel.Endpoint;
import org.apache.camel.component.http.HttpComponent;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.io.HttpClientConnectionManager;
import org.apache.hc.client5.http.socket.ConnectionSocketFactory;
import org.apache.hc.core5.http.config.Registry;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.pool.PoolReusePolicy;
import org.apache.hc.core5.util.TimeValue;

/**
 * Camel's http component for feeds defined over the API: every endpoint's connections are opened
 * through a {@link GuardedDnsResolver}, so each address is checked as it is connected to — the
 * upstream's pages, a redirect, a proxy, Camel's own OAuth token call. An endpoint may not bring a
 * client or connection manager of its own ({@code httpClient=#…}, {@code clientConnectionManager=#…}),
 * which would connect around the check.
 */
public class GuardedHttpComponent extends HttpComponent {

    private static final Set<String> OWN_CLIENT_OPTIONS = Set.of("httpclient", "clientconnectionmanager");

    private final DnsResolver resolver;

    public GuardedHttpComponent(DnsResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        for (String option : parameters.keySet()) {
            if (OWN_CLIENT_OPTIONS.contains(option.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("option " + option + " is not allowed for a feed defined over the API:"
                        + " its connections go through feedsync's own client, which checks where they go");
            }
        }
        return super.createEndpoint(uri, remaining, parameters);
    }

    /** As Camel makes it ({@code HttpComponent#createConnectionManager}), with the guarded resolver. */
    @Override
    protected HttpClientConnectionManager createConnectionManager(Registry<ConnectionSocketFactory> registry,
                                                                  int maxTotalConnections, int connectionsPerRoute,
                                                                  SocketConfig defaultSocketConfig) {
        PoolingHttpClientConnectionManager connections = new PoolingHttpClientConnectionManager(registry,
                PoolConcurrencyPolicy.STRICT, PoolReusePolicy.LIFO, TimeValue.ofMilliseconds(getConnectionTimeToLive()),
                null, resolver, null);
        int maxTotal = maxTotalConnections > 0 ? maxTotalConnections : getMaxTotalConnections();
        if (maxTotal > 0) {
            connections.setMaxTotal(maxTotal);
        }
        int perRoute = connectionsPerRoute > 0 ? connectionsPerRoute : getConnectionsPerRoute();
        if (perRoute > 0) {
            connections.setDefaultMaxPerRoute(perRoute);
        }
        connections.setDefaultSocketConfig(defaultSocketConfig);
        return connections;
    }
}
