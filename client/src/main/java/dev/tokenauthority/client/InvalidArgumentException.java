package dev.tokenauthority.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** The request was invalid (INVALID_ARGUMENT, FAILED_PRECONDITION or OUT_OF_RANGE); {@link #fieldViolations()} names the fields. */
public final class InvalidArgumentException extends TokenAuthorityException {
  private static final long serialVersionUID = 1L;

  InvalidArgumentException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
