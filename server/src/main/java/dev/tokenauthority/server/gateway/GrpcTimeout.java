package dev.tokenauthority.server.gateway;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code grpc-timeout} header (gRPC over HTTP/2 spec: up to 8 digits and a unit), which REST callers may send too. */
final class GrpcTimeout {
  private static final Pattern FORMAT = Pattern.compile("(\\d{1,8})([HMSmun])");

  private GrpcTimeout() {}

  /** The timeout in milliseconds (at least 1), or {@code fallback} if the header is absent or malformed. */
  static long millis(String header, long fallback) {
    if (header == null) {
      return fallback;
    }
    Matcher m = FORMAT.matcher(header.trim());
    if (!m.matches()) {
      return fallback;
    }
    long amount = Long.parseLong(m.group(1));
    TimeUnit unit = switch (m.group(2)) {
      case "H" -> TimeUnit.HOURS;
      case "M" -> TimeUnit.MINUTES;
      case "S" -> TimeUnit.SECONDS;
      case "m" -> TimeUnit.MILLISECONDS;
      case "u" -> TimeUnit.MICROSECONDS;
      default -> TimeUnit.NANOSECONDS;
    };
    return Math.max(1, unit.toMillis(amount));
  }
}
