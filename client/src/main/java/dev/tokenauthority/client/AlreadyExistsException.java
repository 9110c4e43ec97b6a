package dev.tokenauthority.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** A resource with that ID already exists (ALREADY_EXISTS). */
public final class AlreadyExistsException extends TokenAuthorityException {
  private static final long serialVersionUID = 1L;

  AlreadyExistsException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
