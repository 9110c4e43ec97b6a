package dev.tokenauthority.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.inprocess.InProcessSocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which address the audit log records for a call: the x-forwarded-for trust rule. */
class ClientAddressesTest {
  static final ClientAddresses DEFAULT = new ClientAddresses(Set.of());

  static SocketAddress peer(String ip) throws Exception {
    return new InetSocketAddress(InetAddress.getByName(ip), 40_000);
  }

  @Test
  void withoutForwardingTheTransportPeerIsTheClient() throws Exception {
    assertThat(DEFAULT.of(peer("203.0.113.5"), null)).isEqualTo("203.0.113.5");
    assertThat(DEFAULT.of(peer("127.0.0.1"), List.of())).isEqualTo("127.0.0.1");
    assertThat(DEFAULT.of(new InProcessSocketAddress("x"), null)).isEqualTo("in-process");
    assertThat(DEFAULT.of(null, List.of("198.51.100.1"))).isEqualTo("unknown");
  }

  @Test
  void anUntrustedPeerCannotForgeItsAddress() throws Exception {
    assertThat(DEFAULT.of(peer("203.0.113.5"), List.of("198.51.100.1"))).isEqualTo("203.0.113.5");
    assertThat(DEFAULT.of(peer("10.1.2.3"), List.of("198.51.100.1"))).isEqualTo("10.1.2.3");
  }

  @Test
  void aTrustedProxyNamesTheClientInTheEntryItAppended() throws Exception {
    // Envoy on loopback appended the real peer after what the caller sent
    assertThat(DEFAULT.of(peer("127.0.0.1"), List.of("198.51.100.1, 203.0.113.7"))).isEqualTo("203.0.113.7");
    assertThat(DEFAULT.of(new InProcessSocketAddress("gw"), List.of("203.0.113.7"))).isEqualTo("203.0.113.7");
    // several header lines read as one list, in order
    assertThat(DEFAULT.of(peer("::1"), List.of("198.51.100.1", "2001:db8::1"))).isEqualTo("2001:db8:0:0:0:0:0:1");
    // through two trusted hops: the embedded gateway (in-process) called by a loopback proxy
    assertThat(DEFAULT.of(new InProcessSocketAddress("gw"), List.of("203.0.113.7, 127.0.0.1")))
        .isEqualTo("203.0.113.7");
  }

  @Test
  void configuredNetworksAreTrustedToo() throws Exception {
    ClientAddresses addresses = new ClientAddresses(Set.of("10.0.0.0/8", "192.0.2.10", "fd00::/8"));
    assertThat(addresses.of(peer("10.1.2.3"), List.of("203.0.113.7, 10.9.9.9"))).isEqualTo("203.0.113.7");
    assertThat(addresses.of(peer("192.0.2.10"), List.of("203.0.113.7"))).isEqualTo("203.0.113.7");
    assertThat(addresses.of(peer("192.0.2.11"), List.of("203.0.113.7"))).isEqualTo("192.0.2.11");
    assertThat(addresses.of(peer("fd12::1"), List.of("203.0.113.7"))).isEqualTo("203.0.113.7");
    assertThat(addresses.of(peer("11.0.0.1"), List.of("203.0.113.7"))).isEqualTo("11.0.0.1");
    assertThat(DEFAULT.of(peer("10.1.2.3"), List.of("203.0.113.7"))).isEqualTo("10.1.2.3");
  }

  @Test
  void anEntryThatIsNotAnIpLiteralStopsTheWalkWithoutAnyLookup() throws Exception {
    assertThat(DEFAULT.of(peer("127.0.0.1"), List.of("localhost"))).isEqualTo("127.0.0.1");
    assertThat(DEFAULT.of(peer("127.0.0.1"), List.of("203.0.113.7, evil.example"))).isEqualTo("127.0.0.1");
    assertThat(DEFAULT.of(peer("127.0.0.1"), List.of("999.1.1.1"))).isEqualTo("127.0.0.1");
    assertThat(DEFAULT.of(peer("127.0.0.1"), List.of(".:"))).isEqualTo("127.0.0.1");
    assertThat(DEFAULT.of(peer("127.0.0.1"), List.of("[2001:db8::2]"))).isEqualTo("2001:db8:0:0:0:0:0:2");
  }

  @Test
  void aBadTrustedProxyIsRefusedAtStartup() {
    for (String bad : List.of("10.0.0.0/33", "proxy.internal", "10.0.0.0/", "10.0.0.0/8/8", "::1/129")) {
      assertThatThrownBy(() -> new ClientAddresses(Set.of(bad))).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad);
    }
  }
}
