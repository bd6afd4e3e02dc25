package io.feedsync.upstream;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.core5.net.Host;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Where a feed defined over the API may connect, address by address: the default rule (no link-local,
 * none of the node's own ports, not the database) and feedsync.security.allowed-hosts; the resolver
 * that applies it to every address a name resolves to. (OutboundSecurityTest drives it through the
 * real routes.)
 */
class OutboundRuleTest {

    private static final int API_PORT = 8080;
    private static final OutboundRule DEFAULT = new OutboundRule(null, port -> port == API_PORT,
            () -> List.of(new Host("localhost", 5432), new Host("db.internal", 6543)));

    @ParameterizedTest
    @ValueSource(strings = {"169.254.169.254", "169.254.0.1", "fe80::1", "fe80::1:2:3:4"})
    void linkLocalAddressesAreRefusedOnAnyPort(String address) throws Exception {
        assertThat(DEFAULT.refusal(address, InetAddress.getByName(address), 80))
                .contains(InetAddress.getByName(address).getHostAddress() + " is a link-local address")
                .contains("feedsync.security.allowed-hosts");
    }

    @Test
    void ipv6FormsOfALinkLocalIpv4AddressAreRefusedToo() throws Exception {
        byte[] metadata = {(byte) 169, (byte) 254, (byte) 169, (byte) 254};
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, metadata[0], metadata[1], metadata[2], metadata[3]};
        byte[] compatible = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, metadata[0], metadata[1], metadata[2], metadata[3]};
        byte[] nat64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, metadata[0], metadata[1], metadata[2], metadata[3]};
        for (byte[] form : List.of(mapped, compatible, nat64)) {
            InetAddress v6 = Inet6Address.getByAddress(null, form, null);
            assertThat(DEFAULT.refusal("metadata", v6, 80)).as(v6.toString()).contains("is a link-local address");
        }
        // Java reads the IPv4-mapped form as the IPv4 address itself
        assertThat(DEFAULT.refusal("::ffff:169.254.169.254", InetAddress.getByName("::ffff:169.254.169.254"), 80))
                .contains("169.254.169.254 is a link-local address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.2", "::1", "0.0.0.0", "::"})
    void theNodesOwnPortIsRefusedOnEveryLocalAddress(String address) throws Exception {
        assertThat(DEFAULT.refusal(address, InetAddress.getByName(address), API_PORT))
                .contains(":" + API_PORT + " is a port of this node's own");
        assertThat(DEFAULT.refusal(address, InetAddress.getByName(address), API_PORT + 1)).isNull();
    }

    @Test
    void theNodesOwnPortIsRefusedOnItsInterfaceAddresses() throws Exception {
        Optional<InetAddress> own = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(nic -> Collections.list(nic.getInetAddresses()).stream())
                .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress()).findFirst();
        if (own.isPresent()) {
            assertThat(DEFAULT.refusal(own.get().getHostAddress(), own.get(), API_PORT)).contains("a port of this node's own");
        }
        // another machine's address on the same port is just another upstream
        assertThat(DEFAULT.refusal("10.255.1.2", InetAddress.getByName("10.255.1.2"), API_PORT)).isNull();
    }

    @Test
    void theDatabasesHostAndPortAreRefused() throws Exception {
        assertThat(DEFAULT.refusal("127.0.0.1", InetAddress.getByName("127.0.0.1"), 5432))
                .isEqualTo("127.0.0.1:5432 is the database's; a feed defined over the API may connect there only if"
                        + " feedsync.security.allowed-hosts allows it");
        assertThat(DEFAULT.refusal("localhost", InetAddress.getByName("::1"), 5432)).contains("is the database's");
        assertThat(DEFAULT.refusal("DB.internal.", InetAddress.getByName("10.9.8.7"), 6543)).contains("is the database's");
        assertThat(DEFAULT.refusal("127.0.0.1", InetAddress.getByName("127.0.0.1"), 5433)).isNull();
        assertThat(DEFAULT.refusal("db.internal", InetAddress.getByName("10.9.8.7"), 5432)).isNull();
    }

    @Test
    void privateAddressesStayReachableByDefault() throws Exception {
        for (String address : List.of("10.0.0.1", "192.168.1.10", "172.16.0.5", "fd00::5", "127.0.0.1", "8.8.8.8")) {
            assertThat(DEFAULT.refusal(address, InetAddress.getByName(address), 9000)).as(address).isNull();
        }
    }

    @Test
    void withAllowedHostsOnlyItsEntriesAreReachable() throws Exception {
        OutboundRule only = new OutboundRule(AllowedHosts.of(List.of("partner.example.org", "127.0.0.1:9000",
                "10.0.0.0/8", "[::1]:9001", "Exports.Example.COM:8443", "169.254.169.254")), port -> port == API_PORT, List::of);

        assertThat(only.refusal("partner.example.org", InetAddress.getByName("203.0.113.9"), 443)).isNull();
        assertThat(only.refusal("PARTNER.example.org.", InetAddress.getByName("203.0.113.9"), 8080)).isNull();
        assertThat(only.refusal("127.0.0.1", InetAddress.getByName("127.0.0.1"), 9000)).isNull();
        assertThat(only.refusal("localhost", InetAddress.getByName("127.0.0.1"), 9000)).isNull();
        assertThat(only.refusal("anything", InetAddress.getByName("10.200.3.4"), 22)).isNull();
        assertThat(only.refusal("::1", InetAddress.getByName("::1"), 9001)).isNull();
        assertThat(only.refusal("exports.example.com", InetAddress.getByName("203.0.113.10"), 8443)).isNull();
        assertThat(only.refusal("169.254.169.254", InetAddress.getByName("169.254.169.254"), 80))
                .as("an operator of the node may allow even a link-local address").isNull();

        assertThat(only.refusal("127.0.0.1", InetAddress.getByName("127.0.0.1"), 9002))
                .isEqualTo("not in feedsync.security.allowed-hosts, the only places feeds defined over the API may connect to");
        assertThat(only.refusal("exports.example.com", InetAddress.getByName("203.0.113.10"), 443)).isNotNull();
        assertThat(only.refusal("other.example.org", InetAddress.getByName("203.0.113.9"), 443)).isNotNull();
        assertThat(only.refusal("evil.partner.example.org", InetAddress.getByName("203.0.113.9"), 443)).isNotNull();
        assertThat(only.refusal("::1", InetAddress.getByName("::1"), 9000)).isNotNull();
        assertThat(only.refusal("8.8.8.8", InetAddress.getByName("8.8.8.8"), 443)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "http://partner.example.org", "partner.example.org:0", "partner.example.org:http",
            "10.0.0.0/33", "under_score.example.org", "[partner.example.org]:80", "partner.example.org/path"})
    void anEntryThatIsNoHostIsRefusedNamingIt(String entry) {
        assertThatThrownBy(() -> AllowedHosts.of(List.of(entry)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(entry.isEmpty() ? "empty" : "'" + entry + "' is not a host name");
    }

    @Test
    void theResolverAnswersOnlyTheAddressesTheRuleAllows() throws Exception {
        // a name that resolves to the metadata service and to an upstream: only the upstream is connected to
        GuardedDnsResolver resolver = new GuardedDnsResolver(DEFAULT, dns(Map.of(
                "rebound.example.org", List.of("169.254.169.254", "10.0.0.7"),
                "metadata.example.org", List.of("169.254.169.254", "fe80::1"))));

        assertThat(resolver.resolve("rebound.example.org", 80))
                .containsExactly(new InetSocketAddress(InetAddress.getByName("10.0.0.7"), 80));
        assertThatThrownBy(() -> resolver.resolve("metadata.example.org", 80))
                .isInstanceOf(AddressRefusedException.class)
                .hasMessage("connection to metadata.example.org:80 refused: 169.254.169.254 is a link-local address (where"
                        + " cloud metadata services answer); a feed defined over the API may connect there only if"
                        + " feedsync.security.allowed-hosts allows it");
        assertThatThrownBy(() -> new GuardedDnsResolver(DEFAULT, SystemDefaultDnsResolver.INSTANCE).resolve("[::1]", API_PORT))
                .isInstanceOf(AddressRefusedException.class)
                .hasMessageStartingWith("connection to [::1]:8080 refused: [0:0:0:0:0:0:0:1]:8080 is a port of this node's own");
        assertThatThrownBy(() -> resolver.resolve("rebound.example.org"))
                .as("HttpClient connects with the port; without it nothing is answered").isInstanceOf(UnknownHostException.class);
    }

    @Test
    void theDatabaseIsReadFromTheJdbcUrl() {
        assertThat(OutboundAddresses.databaseHosts("jdbc:postgresql://localhost:54321/postgres?user=postgres"))
                .containsExactly(new Host("localhost", 54321));
        assertThat(OutboundAddresses.databaseHosts("jdbc:postgresql://db1.internal,DB2.internal:6432/feedsync"))
                .containsExactly(new Host("db1.internal", 5432), new Host("db2.internal", 6432));
        assertThat(OutboundAddresses.databaseHosts("jdbc:postgresql://[::1]:5433/feedsync"))
                .containsExactly(new Host("::1", 5433));
        assertThat(OutboundAddresses.databaseHosts("jdbc:postgresql:feedsync")).containsExactly(new Host("localhost", 5432));
        assertThat(OutboundAddresses.databaseHosts(null)).isEmpty();
    }

    @Test
    void anOriginIsSchemeHostAndPort() {
        URI source = URI.create("https://partner.example.org/export?page=1");
        assertThat(SafeUrls.sameOrigin(URI.create("https://PARTNER.example.org:443/export?page=2"), source)).isTrue();
        assertThat(SafeUrls.sameOrigin(URI.create("/export?page=2"), source)).isFalse();
        assertThat(SafeUrls.sameOrigin(URI.create("http://partner.example.org/export?page=2"), source)).isFalse();
        assertThat(SafeUrls.sameOrigin(URI.create("https://partner.example.org:8443/export"), source)).isFalse();
        assertThat(SafeUrls.sameOrigin(URI.create("https://cdn.example.org/export"), source)).isFalse();
        assertThat(SafeUrls.sameOrigin(URI.create("https://partner.example.org.evil.test/export"), source)).isFalse();
    }

    private static DnsResolver dns(Map<String, List<String>> names) {
        return new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                List<String> addresses = names.get(host);
                if (addresses == null) {
                    throw new UnknownHostException(host);
                }
                InetAddress[] resolved = new InetAddress[addresses.size()];
                for (int i = 0; i < resolved.length; i++) {
                    resolved[i] = InetAddress.getByAddress(host, InetAddress.getByName(addresses.get(i)).getAddress());
                }
                return resolved;
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
    }
}
