package dev.tokenauthority.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** The credential lacks a scope the call needs, or asked to grant more than it holds (PERMISSION_DENIED). */
public final class PermissionDeniedException extends TokenAuthorityException {
  private static final long serialVersionUID = 1L;

  PermissionDeniedException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
