package dev.tokenauthority.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** The server could not be reached or answered too late (UNAVAILABLE, DEADLINE_EXCEEDED). Idempotent calls were already retried on UNAVAILABLE by the channel's retry policy. */
public final class UnavailableException extends TokenAuthorityException {
  private static final long serialVersionUID = 1L;

  UnavailableException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
