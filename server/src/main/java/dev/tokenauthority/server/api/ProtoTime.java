package dev.tokenauthority.server.api;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.server.core.Failure;
import java.time.Instant;

/** Conversions between protobuf Timestamps and Instants. */
final class ProtoTime {
  private ProtoTime() {}

  static Timestamp of(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }

  /** The instant of a request's timestamp {@code field}, or INVALID_ARGUMENT if it is out of range. */
  static Instant toInstant(String field, Timestamp timestamp) {
    if (!Timestamps.isValid(timestamp)) {
      throw Failure.invalid(field, "must be a valid time between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z");
    }
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }
}
