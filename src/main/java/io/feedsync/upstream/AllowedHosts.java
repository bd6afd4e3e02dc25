package io.feedsync.upstream;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hc.core5.net.InetAddressUtils;
import org.springframework.security.web.util.matcher.IpAddressMatcher;

/**
 * {@code feedsync.security.allowed-hosts}: the only places a feed defined over the API may connect to,
 * once the list is set. An entry is
 * <ul>
 *   <li>a host name ({@code partner.example.org}): a URL naming that host, on any port, whatever it
 *   resolves to;</li>
 *   <li>an IP address or a CIDR range ({@code 10.1.2.3}, {@code 10.0.0.0/8}, {@code fd00::/8}): a connection
 *   to an address in it, on any port, whatever name the URL gave;</li>
 *   <li>either of the first two with a port ({@code partner.example.org:8443}, {@code 127.0.0.1:9000},
 *   {@code [::1]:9000}): only that port.</li>
 * </ul>
 */
public final class AllowedHosts {

    private static final int ANY_PORT = -1;

    private record Entry(String name, InetAddress address, IpAddressMatcher range, int port) {

        boolean matches(String host, InetAddress connected, int connectedPort) {
            if (port != ANY_PORT && port != connectedPort) {
                return false;
            }
            if (range != null) {
                return range.matches(connected.getHostAddress());
            }
            if (address != null) {
                return address.equals(connected);
            }
            return name.equals(OutboundRule.bare(host));
        }
    }

    private final List<Entry> entries;

    private AllowedHosts(List<Entry> entries) {
        this.entries = entries;
    }

    /** The entries as written; an entry that is none of the above is an {@link IllegalArgumentException} naming it. */
    public static AllowedHosts of(List<String> written) {
        List<Entry> entries = new ArrayList<>();
        for (String entry : written) {
            entries.add(entry(entry == null ? "" : entry.trim()));
        }
        return new AllowedHosts(List.copyOf(entries));
    }

    /** Whether a connection to {@code connected}:{@code port}, for a URL naming {@code host}, is allowed. */
    public boolean allows(String host, InetAddress connected, int port) {
        return entries.stream().anyMatch(entry -> entry.matches(host, connected, port));
    }

    private static Entry entry(String written) {
        if (written.isEmpty()) {
            throw new IllegalArgumentException("an entry is empty");
        }
        if (written.contains("/")) {
            try {
                return new Entry(null, null, new IpAddressMatcher(written), ANY_PORT);
            } catch (IllegalArgumentException e) {
                throw notAnEntry(written);
            }
        }
        String host = written;
        int port = ANY_PORT;
        int colon = written.lastIndexOf(':');
        boolean bracketed = written.startsWith("[");
        // a port follows the last ':' of a name, an IPv4 address or a bracketed IPv6 address; a bare IPv6 address has none
        if (colon > 0 && (bracketed ? written.charAt(colon - 1) == ']' : written.indexOf(':') == colon)) {
            host = written.substring(0, colon);
            port = port(written, written.substring(colon + 1));
        }
        String bare = OutboundRule.bare(host);
        if (InetAddressUtils.isIPv4(bare) || InetAddressUtils.isIPv6(bare)) {
            try {
                return new Entry(null, InetAddress.getByName(bare), null, port);
            } catch (UnknownHostException e) {
                throw notAnEntry(written);
            }
        }
        if (bracketed || !bare.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
            throw notAnEntry(written);
        }
        return new Entry(bare, null, null, port);
    }

    private static int port(String written, String port) {
        try {
            int value = Integer.parseInt(port);
            if (value >= 1 && value <= 65535) {
                return value;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw notAnEntry(written);
    }

    private static IllegalArgumentException notAnEntry(String written) {
        return new IllegalArgumentException("'" + written + "' is not a host name, an IP address, a CIDR range"
                + " (10.0.0.0/8) or one of the first two with a port (host:port, [v6]:port)");
    }

    @Override
    public String toString() {
        return "AllowedHosts" + entries.stream().map(e -> (e.name != null ? e.name
                : e.address != null ? e.address.getHostAddress() : e.range.toString())
                + (e.port == ANY_PORT ? "" : ":" + e.port)).toList();
    }
}
