package dev.tokenauthority.server.api;

import io.grpc.Metadata;
import io.grpc.inprocess.AnonymousInProcessSocketAddress;
import io.grpc.inprocess.InProcessSocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Decides where a call came from, for the audit log: an IP literal, or {@value #IN_PROCESS}.
 *
 * <p>The rule: start from the transport peer. While the current address is a trusted proxy
 * (in-process, loopback, or in one of the configured trusted networks), step to the next
 * {@code x-forwarded-for} entry from the right, the one that proxy appended for its own
 * client. The first untrusted address is the client. Entries that are not IP literals stop
 * the walk (the last trusted address stands), and no name is ever resolved. So a caller
 * cannot forge its address by sending {@code x-forwarded-for} itself, unless it connects from
 * a trusted address: Envoy (with {@code use_remote_address}) and the embedded gateway append the
 * real peer to whatever the caller sent, and the walk stops there.
 */
final class ClientAddresses {
  static final Metadata.Key<String> FORWARDED_FOR = Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER);
  static final String IN_PROCESS = "in-process";
  /** The address of a peer that is neither in-process nor an IP socket (never trusted). */
  static final String UNKNOWN = "unknown";
  private static final Pattern IPV4 =
      Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  /**
   * Only these characters, starting with a hex digit or a colon, with a colon somewhere:
   * InetAddress parses such text as an IPv6 literal (or rejects it), never as a host name.
   */
  private static final Pattern IPV6 = Pattern.compile("(?=.*:)[0-9A-Fa-f:][0-9A-Fa-f:.]*");

  /** A trusted network: an address and how many leading bits must match. */
  private record Network(byte[] address, int prefix) {
    boolean contains(InetAddress candidate) {
      byte[] bytes = candidate.getAddress();
      if (bytes.length != address.length) {
        return false;
      }
      for (int bit = 0; bit < prefix; bit++) {
        int mask = 0x80 >>> (bit % 8);
        if ((bytes[bit / 8] & mask) != (address[bit / 8] & mask)) {
          return false;
        }
      }
      return true;
    }
  }

  private final List<Network> trusted = new ArrayList<>();

  /**
   * {@code trustedProxies}: addresses or CIDR networks ({@code 10.0.0.0/8}, {@code fd00::/8})
   * whose {@code x-forwarded-for} is believed, besides in-process and loopback peers.
   * Throws IllegalArgumentException naming a bad entry.
   */
  ClientAddresses(Collection<String> trustedProxies) {
    for (String entry : trustedProxies) {
      String[] parts = entry.trim().split("/", -1);
      InetAddress address = literal(parts[0]);
      int bits = address == null ? 0 : address.getAddress().length * 8;
      int prefix = bits;
      if (parts.length == 2 && parts[1].matches("\\d{1,3}")) {
        prefix = Integer.parseInt(parts[1]);
      } else if (parts.length != 1) {
        prefix = -1;
      }
      if (address == null || prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("trusted proxy '" + entry
            + "' is not an IP address or CIDR network such as 10.0.0.0/8 or fd00::/8");
      }
      trusted.add(new Network(address.getAddress(), prefix));
    }
  }

  /** The client address of a call from {@code peer} carrying the {@code x-forwarded-for} values {@code forwarded}. */
  String of(SocketAddress peer, Iterable<String> forwarded) {
    String current;
    boolean trustedHop;
    if (peer instanceof InProcessSocketAddress || peer instanceof AnonymousInProcessSocketAddress) {
      current = IN_PROCESS;
      trustedHop = true;
    } else if (peer instanceof InetSocketAddress inet && inet.getAddress() != null) {
      current = inet.getAddress().getHostAddress();
      trustedHop = isTrusted(inet.getAddress());
    } else {
      return UNKNOWN;
    }
    List<String> hops = new ArrayList<>();
    if (forwarded != null) {
      for (String header : forwarded) {
        for (String hop : header.split(",")) {
          hops.add(hop);
        }
      }
    }
    for (int i = hops.size() - 1; i >= 0 && trustedHop; i--) {
      InetAddress hop = literal(hops.get(i));
      if (hop == null) {
        break;
      }
      current = hop.getHostAddress();
      trustedHop = isTrusted(hop);
    }
    return current;
  }

  private boolean isTrusted(InetAddress address) {
    return address.isLoopbackAddress() || trusted.stream().anyMatch(network -> network.contains(address));
  }

  /** {@code text} as an IP address if it is an IPv4 or IPv6 literal (brackets allowed), else null; never a lookup. */
  private static InetAddress literal(String text) {
    String trimmed = text.trim();
    if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
      trimmed = trimmed.substring(1, trimmed.length() - 1);
    }
    if (!IPV4.matcher(trimmed).matches() && !IPV6.matcher(trimmed).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(trimmed);
    } catch (UnknownHostException e) {
      return null; // an invalid IPv6 literal: InetAddress rejects it without a lookup
    }
  }
}
