package dev.tokenauthority.server.api;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.server.core.TokenCore;
import java.time.Instant;

/** Conversions between protobuf Timestamps and Instants. */
final class ProtoTime {
  private ProtoTime() {}

  static Timestamp of(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }

  /**
   * The instant of a request's timestamp, or {@link TokenCore#INVALID_TIME} if it is not a
   * valid protobuf Timestamp (seconds outside 0001..9999, nanos outside 0..999,999,999).
   * The core rejects that value with a field violation, after it has checked the caller's
   * scopes, so a caller without permission learns nothing from the shape of its input.
   */
  static Instant toInstant(Timestamp timestamp) {
    return Timestamps.isValid(timestamp)
        ? Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos())
        : TokenCore.INVALID_TIME;
  }
}
