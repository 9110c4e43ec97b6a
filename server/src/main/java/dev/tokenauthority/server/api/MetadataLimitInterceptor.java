package dev.tokenauthority.server.api;

import dev.tokenauthority.server.TransportLimits;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Refuses a call whose request metadata exceeds {@link TransportLimits#MAX_METADATA_BYTES}
 * with RESOURCE_EXHAUSTED, before any other interceptor or handler sees it.
 *
 * <p>Why not only the transport's own limit: a server advertises its limit in HTTP/2
 * SETTINGS, and grpc-java (like other gRPC clients) then refuses to send larger metadata
 * itself, failing the call locally as INTERNAL, and the server never answers. So the
 * transport's limit is set higher ({@link TransportLimits#TRANSPORT_METADATA_BYTES}), as a
 * ceiling, and the limit callers meet is this one: a real answer, RESOURCE_EXHAUSTED.
 */
public final class MetadataLimitInterceptor implements ServerInterceptor {
  /** HTTP/2's per-entry overhead in a header list's size (RFC 9113 6.5.2), as grpc-java counts it. */
  private static final int ENTRY_OVERHEAD = 32;

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    long size = size(headers);
    if (size > TransportLimits.MAX_METADATA_BYTES) {
      call.close(Status.RESOURCE_EXHAUSTED.withDescription("The request metadata (" + size
          + " bytes, counted as name + value + 32 per entry) exceeds the limit of "
          + TransportLimits.MAX_METADATA_BYTES + " bytes."), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }

  /** The size of {@code headers} as HTTP/2 counts a header list: name + value + 32 per entry. */
  static long size(Metadata headers) {
    long size = 0;
    for (String name : headers.keys()) {
      if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        for (byte[] value : headers.getAll(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER))) {
          size += name.length() + value.length + ENTRY_OVERHEAD;
        }
      } else {
        for (String value : headers.getAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER))) {
          size += name.length() + value.length() + ENTRY_OVERHEAD;
        }
      }
    }
    return size;
  }
}
