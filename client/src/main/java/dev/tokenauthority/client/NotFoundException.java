package dev.tokenauthority.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** The resource does not exist, or is not visible to the caller's tenant (NOT_FOUND). */
public final class NotFoundException extends TokenAuthorityException {
  private static final long serialVersionUID = 1L;

  NotFoundException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
