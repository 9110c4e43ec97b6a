package dev.tokenauthority.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** No credential, or one that is unknown, expired or revoked (UNAUTHENTICATED). */
public final class UnauthenticatedException extends TokenAuthorityException {
  private static final long serialVersionUID = 1L;

  UnauthenticatedException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
