package io.feedsync.upstream;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The http component of feeds defined over the API checks every connection its endpoints open — a
 * redirect's too — and an endpoint cannot bring a client of its own. Two loopback servers: one
 * playing a port of this node's own, one an upstream.
 */
class GuardedHttpComponentTest {

    private final AtomicInteger atTheNode = new AtomicInteger();
    private HttpServer node;
    private HttpServer upstream;
    private CamelContext camel;

    @BeforeEach
    void start() throws Exception {
        node = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        node.createContext("/", exchange -> {
            atTheNode.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        node.start();
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Location", "http://localhost:" + node.getAddress().getPort() + "/api/feeds");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        upstream.start();
        int nodePort = node.getAddress().getPort();
        OutboundRule rule = new OutboundRule(null, port -> port == nodePort, List::of);
        camel = new DefaultCamelContext();
        camel.addComponent("guarded-http", new GuardedHttpComponent(new GuardedDnsResolver(rule, SystemDefaultDnsResolver.INSTANCE)));
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
        node.stop(0);
        upstream.stop(0);
    }

    @Test
    void aConnectionToARefusedAddressIsNeverOpened() {
        Exchange sent = camel.createProducerTemplate().send("guarded-http:http://127.0.0.1:" + node.getAddress().getPort() + "/api/feeds",
                exchange -> exchange.getMessage().setBody("{}"));

        assertThat(AddressRefusedException.in(sent.getException())).isNotNull()
                .hasMessageStartingWith("connection to 127.0.0.1:" + node.getAddress().getPort() + " refused: ");
        assertThat(atTheNode).hasValue(0);
    }

    @Test
    void aRedirectToARefusedAddressIsRefusedToo() {
        Exchange sent = camel.createProducerTemplate().send("guarded-http:http://127.0.0.1:" + upstream.getAddress().getPort()
                + "/export?followRedirects=true", exchange -> exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "GET"));

        assertThat(AddressRefusedException.in(sent.getException())).isNotNull()
                .hasMessageStartingWith("connection to localhost:" + node.getAddress().getPort() + " refused: ");
        assertThat(atTheNode).hasValue(0);
    }

    @Test
    void anEndpointCannotBringAClientOfItsOwn() {
        for (String option : List.of("clientConnectionManager=#mine", "httpClient=#mine", "HTTPCLIENT=#mine")) {
            assertThatThrownBy(() -> camel.getEndpoint("guarded-http:http://127.0.0.1:" + upstream.getAddress().getPort() + "/x?" + option))
                    .hasStackTraceContaining("is not allowed for a feed defined over the API");
        }
    }
}
