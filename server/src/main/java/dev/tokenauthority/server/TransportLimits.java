package dev.tokenauthority.server;

/**
 * The transport limits of both edges, in one place: what a gRPC call (any transport the
 * server is started on) and a REST request through the embedded gateway may carry. The
 * validation limits of each field live with the field's checks in core (and are listed in
 * the README's "Limits" table).
 */
public final class TransportLimits {
  private TransportLimits() {}

  /**
   * The largest request message (gRPC) and request body (REST): 1 MiB. Nothing this API
   * takes comes near it (the largest valid request, a module with 50 filters of 100 values,
   * is well under); past it gRPC answers RESOURCE_EXHAUSTED and REST 413.
   */
  public static final int MAX_MESSAGE_BYTES = 1 << 20;

  /**
   * The most request metadata (gRPC) and request header bytes (REST): 16 KiB, each entry
   * counted as name + value + 32 bytes (HTTP/2's header list size, as grpc-java and the
   * JDK's HTTP server count it). A credential is under 100 bytes; past it gRPC answers
   * RESOURCE_EXHAUSTED and REST 431.
   */
  public static final int MAX_METADATA_BYTES = 16 << 10;

  /**
   * The transport's own metadata ceiling, which a gRPC server advertises to clients (HTTP/2
   * SETTINGS_MAX_HEADER_LIST_SIZE): 64 KiB. Clients refuse to send more themselves (grpc-java
   * fails such a call locally, INTERNAL); between {@link #MAX_METADATA_BYTES} and this, the
   * server answers RESOURCE_EXHAUSTED (api/MetadataLimitInterceptor).
   */
  public static final int TRANSPORT_METADATA_BYTES = 64 << 10;

  /** The most request header lines (REST): past it, 431. */
  public static final int MAX_HEADER_COUNT = 100;

  /** The longest request target, path and query (REST): 8 KiB; past it, 414. */
  public static final int MAX_URL_CHARS = 8 << 10;
}
