package io.feedsync.upstream;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

import org.apache.hc.core5.net.Host;

/**
 * Where a feed defined over the API may connect, judged on each address it is about to connect to.
 * With {@code feedsync.security.allowed-hosts} set: only where that list allows. Otherwise anywhere
 * but link-local addresses (where cloud metadata services answer), this node's own listening ports on
 * any of its own addresses, and the database's host and port. IPv6 forms that carry an IPv4 address
 * (IPv4-mapped, IPv4-compatible, NAT64) are judged by that address too.
 */
public final class OutboundRule {

    private static final String UNLESS =
            "; a feed defined over the API may connect there only if feedsync.security.allowed-hosts allows it";
    /** The well-known NAT64 prefix, 64:ff9b::/96 (RFC 6052). */
    private static final byte[] NAT64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

    private final AllowedHosts allowed;
    private final IntPredicate ownPort;
    private final Supplier<List<Host>> database;

    /**
     * {@code allowed}: null when {@code feedsync.security.allowed-hosts} is not set; {@code ownPort}:
     * whether a port is one this node listens on; {@code database}: the database's hosts and ports.
     */
    public OutboundRule(AllowedHosts allowed, IntPredicate ownPort, Supplier<List<Host>> database) {
        this.allowed = allowed;
        this.ownPort = ownPort;
        this.database = database;
    }

    /**
     * Why a connection to {@code address}:{@code port}, for a URL naming {@code host}, is refused;
     * null when it is allowed.
     */
    public String refusal(String host, InetAddress address, int port) {
        if (allowed != null) {
            return allowed.allows(host, address, port) ? null
                    : "not in feedsync.security.allowed-hosts, the only places feeds defined over the API may connect to";
        }
        InetAddress embedded = embeddedIpv4(address);
        String connected = hostAndPort(address.getHostAddress(), port);
        if (address.isLinkLocalAddress() || embedded != null && embedded.isLinkLocalAddress()) {
            return address.getHostAddress() + " is a link-local address (where cloud metadata services answer)" + UNLESS;
        }
        if (ownPort.test(port) && (local(address) || embedded != null && local(embedded))) {
            return connected + " is a port of this node's own" + UNLESS;
        }
        for (Host db : database.get()) {
            if (db.getPort() == port && (bare(db.getHostName()).equals(bare(host)) || sameMachine(db.getHostName(), address))) {
                return connected + " is the database's" + UNLESS;
            }
        }
        return null;
    }

    /** {@code host:port}, an IPv6 address in brackets. */
    static String hostAndPort(String host, int port) {
        String bare = bare(host);
        return (bare.contains(":") ? "[" + bare + "]" : bare) + ":" + port;
    }

    /** A host as a URL or a setting writes it, compared as DNS does: without brackets or a trailing dot, in lower case. */
    static String bare(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        bare = bare.endsWith(".") ? bare.substring(0, bare.length() - 1) : bare;
        return bare.toLowerCase(Locale.ROOT);
    }

    /** Whether {@code address} reaches the machine that {@code host} names. */
    private static boolean sameMachine(String host, InetAddress address) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(bare(host));
        } catch (UnknownHostException e) {
            return false;
        }
        InetAddress embedded = embeddedIpv4(address);
        for (InetAddress each : addresses) {
            if (each.equals(address) || each.equals(embedded)
                    || local(each) && (local(address) || embedded != null && local(embedded))) {
                return true;
            }
        }
        return false;
    }

    /** This machine's own: loopback, the wildcard address, or an address of one of its interfaces. */
    private static boolean local(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    /** The IPv4 address an IPv6 address carries (IPv4-mapped, IPv4-compatible, NAT64), or null. */
    static InetAddress embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return null;
        }
        byte[] bytes = address.getAddress();
        boolean zeroPrefix = Arrays.equals(bytes, 0, 10, new byte[10], 0, 10);
        boolean mapped = zeroPrefix && bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
        boolean compatible = zeroPrefix && bytes[10] == 0 && bytes[11] == 0;
        boolean nat64 = Arrays.equals(bytes, 0, 12, NAT64, 0, 12);
        if (!mapped && !compatible && !nat64) {
            return null;
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(bytes, 12, 16));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
