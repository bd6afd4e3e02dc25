package io.feedsync.upstream;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hc.client5.http.DnsResolver;

/**
 * The resolver of the HTTP clients of feeds defined over the API: Apache HttpClient asks it for a
 * host's addresses when it opens a connection, and connects to those it answers, one after the other.
 * It answers only the addresses the {@link OutboundRule} allows, so that the address judged is the
 * address connected to — a name that resolves to another address the next time (DNS rebinding) is
 * judged again — and refuses the connection when none is left.
 */
public final class GuardedDnsResolver implements DnsResolver {

    private final OutboundRule rule;
    private final DnsResolver dns;

    public GuardedDnsResolver(OutboundRule rule, DnsResolver dns) {
        this.rule = rule;
        this.dns = dns;
    }

    @Override
    public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
        String name = OutboundRule.bare(host);
        InetAddress[] addresses = dns.resolve(name);
        List<InetSocketAddress> allowed = new ArrayList<>();
        String refusal = null;
        for (InetAddress address : addresses == null ? new InetAddress[0] : addresses) {
            String why = rule.refusal(name, address, port);
            if (why == null) {
                allowed.add(new InetSocketAddress(address, port));
            } else if (refusal == null) {
                refusal = why;
            }
        }
        if (allowed.isEmpty()) {
            if (refusal == null) {
                throw new UnknownHostException(name);
            }
            throw new AddressRefusedException(name, port, refusal);
        }
        return allowed;
    }

    /** Not how HttpClient connects (it asks with the port): refused, so that nothing can connect around the rule. */
    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        throw new UnknownHostException(host + ": feeds defined over the API resolve a host only with the port they connect to");
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
        return dns.resolveCanonicalHostname(host);
    }
}
