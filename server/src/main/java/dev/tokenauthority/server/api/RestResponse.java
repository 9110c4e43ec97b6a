package dev.tokenauthority.server.api;

import io.grpc.Context;
import io.grpc.Metadata;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a service method adds to its REST answer beyond the JSON body, decided per call: a
 * status other than the method's declared one (302 for a redirect, 410 for a gone link) and
 * the few HTTP headers a REST answer may need. {@link RestEdgeHeaders} sends them to the
 * REST edge with the response (or with the error), where the status becomes the status line
 * and the headers pass through as they are; gRPC callers see them as metadata.
 */
public final class RestResponse {
  static final Context.Key<RestResponse> KEY = Context.key("dev.tokenauthority.rest-response");
  /** The headers a service may set; nothing that could break the transport or the edge. */
  private static final Set<String> ALLOWED_HEADERS = Set.of("location", "cache-control");

  private int status;
  private final Map<String, String> headers = new LinkedHashMap<>();

  /** The current call's REST response. */
  static RestResponse current() {
    RestResponse response = KEY.get();
    if (response == null) {
      throw new IllegalStateException("service registered without the REST edge headers interceptor");
    }
    return response;
  }

  /** Answers REST callers with {@code httpStatus} instead of the method's declared status. */
  RestResponse status(int httpStatus) {
    if (httpStatus < 200 || httpStatus > 599) {
      throw new IllegalArgumentException("not an HTTP status: " + httpStatus);
    }
    this.status = httpStatus;
    return this;
  }

  /** Sets header {@code name} (one of location, cache-control) on the REST answer. */
  RestResponse header(String name, String value) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (!ALLOWED_HEADERS.contains(lower)) {
      throw new IllegalArgumentException("a service may not set header " + name);
    }
    headers.put(lower, value);
    return this;
  }

  /** The status set by the service, or 0. */
  int status() {
    return status;
  }

  /** Adds the headers to {@code metadata}. */
  void addHeadersTo(Metadata metadata) {
    headers.forEach((name, value) -> metadata.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value));
  }
}
