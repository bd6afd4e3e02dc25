package io.feedsync.upstream;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.camel.component.http.HttpComponent;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.core5.net.Host;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.util.function.SingletonSupplier;

import io.feedsync.api.security.SecurityConfigException;

/**
 * This node's {@link OutboundRule} and who it applies to: every connection a feed defined over the API
 * makes (its pages, its OAuth2 token, its webhooks) goes through {@link #resolver()}; a feed of the
 * configuration is trusted as whoever wrote it, and connects as it is told. The node's own ports are
 * those its web servers listen on (the API and, when it has its own, the management server) and the
 * JMX remote ports; the database's is that of the connection pool's JDBC URL, the embedded
 * PostgreSQL's included.
 */
@Component
public class OutboundAddresses {

    public static final String ALLOWED_HOSTS = "feedsync.security.allowed-hosts";

    private static final Logger log = LoggerFactory.getLogger(OutboundAddresses.class);

    private static final int POSTGRESQL_PORT = 5432;
    private static final Pattern JDBC_URL = Pattern.compile("jdbc:([a-z0-9]+):(?://([^/?#]*))?.*", Pattern.CASE_INSENSITIVE);
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[^]]*]|[^:]*)(?::(\\d+))?");

    private final ConfiguredFeeds configuredFeeds;
    private final Set<Integer> ownPorts = ConcurrentHashMap.newKeySet();
    private final GuardedDnsResolver resolver;

    public OutboundAddresses(Environment environment, ObjectProvider<DataSource> dataSource,
                             ConfiguredFeeds configuredFeeds) {
        this.configuredFeeds = configuredFeeds;
        for (String port : List.of("server.port", "management.server.port", "com.sun.management.jmxremote.port",
                "com.sun.management.jmxremote.rmi.port")) {
            Integer configured = environment.getProperty(port, Integer.class);
            if (configured != null && configured > 0) {
                ownPorts.add(configured);
            }
        }
        SingletonSupplier<List<Host>> database = SingletonSupplier.of(() -> databaseHosts(jdbcUrl(dataSource, environment)));
        OutboundRule rule = new OutboundRule(allowedHosts(environment), ownPorts::contains, database);
        this.resolver = new GuardedDnsResolver(rule, SystemDefaultDnsResolver.INSTANCE);
    }

    /** The API's port, or the management server's: known once it listens (a random port included). */
    @EventListener
    public void webServerStarted(WebServerInitializedEvent event) {
        ownPorts.add(event.getWebServer().getPort());
    }

    /** Whether the feed's connections are checked: it is defined over the API. */
    public boolean guards(String feed) {
        return !configuredFeeds.isConfigured(feed);
    }

    /** How the feed's HTTP clients resolve a host: checked for a feed defined over the API. */
    public DnsResolver resolverFor(String feed) {
        return guards(feed) ? resolver : SystemDefaultDnsResolver.INSTANCE;
    }

    /** A new http component for the feed's pages: {@link GuardedHttpComponent} for a feed defined over the API. */
    public HttpComponent httpComponent(String feed) {
        return guards(feed) ? new GuardedHttpComponent(resolver) : new HttpComponent();
    }

    /** The resolver every connection of a feed defined over the API goes through. */
    public DnsResolver resolver() {
        return resolver;
    }

    private static AllowedHosts allowedHosts(Environment environment) {
        List<String> written = Binder.get(environment).bind(ALLOWED_HOSTS, Bindable.listOf(String.class)).orElse(List.of());
        if (written.isEmpty()) {
            return null;
        }
        for (int i = 0; i < written.size(); i++) {
            try {
                AllowedHosts.of(List.of(written.get(i) == null ? "" : written.get(i)));
            } catch (IllegalArgumentException e) {
                throw new SecurityConfigException(ALLOWED_HOSTS + "[" + i + "]", e.getMessage());
            }
        }
        AllowedHosts allowed = AllowedHosts.of(written);
        log.info("{} is set: feeds defined over the API connect only to {}", ALLOWED_HOSTS, written);
        return allowed;
    }

    private static String jdbcUrl(ObjectProvider<DataSource> dataSource, Environment environment) {
        DataSource pool = dataSource.getIfAvailable();
        try {
            if (pool != null && pool.isWrapperFor(HikariDataSource.class)) {
                return pool.unwrap(HikariDataSource.class).getJdbcUrl();
            }
        } catch (SQLException e) {
            // not a pool that says: the configured URL below
        }
        return environment.getProperty("spring.datasource.url");
    }

    /**
     * The hosts and ports of a JDBC URL: {@code jdbc:postgresql://db1:5432,db2/feedsync} names two,
     * {@code jdbc:postgresql:feedsync} the local server on PostgreSQL's port.
     */
    static List<Host> databaseHosts(String jdbcUrl) {
        Matcher url = jdbcUrl == null ? null : JDBC_URL.matcher(jdbcUrl.trim());
        if (url == null || !url.matches()) {
            return List.of();
        }
        if (url.group(2) == null || url.group(2).isEmpty()) {
            return List.of(new Host("localhost", POSTGRESQL_PORT));
        }
        List<Host> hosts = new ArrayList<>();
        for (String each : url.group(2).split(",")) {
            String hostAndPort = each.contains("@") ? each.substring(each.lastIndexOf('@') + 1) : each;
            Matcher host = HOST_PORT.matcher(hostAndPort.trim());
            if (host.matches()) {
                hosts.add(new Host(host.group(1).isEmpty() ? "localhost" : OutboundRule.bare(host.group(1)),
                        host.group(2) == null ? POSTGRESQL_PORT : Integer.parseInt(host.group(2))));
            }
        }
        return List.copyOf(hosts);
    }
}
