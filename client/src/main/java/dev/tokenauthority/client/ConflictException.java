package dev.tokenauthority.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** A concurrent change won: the change sequence sent is stale (ABORTED). Read again and retry. */
public final class ConflictException extends TokenAuthorityException {
  private static final long serialVersionUID = 1L;

  ConflictException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
