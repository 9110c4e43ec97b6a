package dev.tokenauthority.server.gateway;

import com.sun.net.httpserver.Headers;
import java.util.Set;

/**
 * CORS for browser callers (seed 001's tokens are embedded in external dashboards), the
 * same policy envoy/envoy.yaml gives Envoy's cors filter: origins allowed by exact match,
 * preflight answered here, allowed origins echoed on actual responses. No origins: no CORS.
 */
final class CorsPolicy {
  static final String ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
  static final String ALLOW_HEADERS = "authorization, x-api-key, content-type";
  static final String MAX_AGE_SECONDS = "600";

  private final Set<String> allowedOrigins;

  CorsPolicy(Set<String> allowedOrigins) {
    this.allowedOrigins = Set.copyOf(allowedOrigins);
  }

  /** Whether the request is a preflight from an allowed origin (answered 200 with the CORS headers, as Envoy does). */
  boolean isAllowedPreflight(String method, Headers request) {
    return method.equals("OPTIONS") && request.getFirst("Access-Control-Request-Method") != null
        && allowedOrigins.contains(request.getFirst("Origin"));
  }

  /** Adds the CORS response headers a request from an allowed origin gets. */
  void decorate(Headers request, Headers response, boolean preflight) {
    String origin = request.getFirst("Origin");
    if (origin == null || !allowedOrigins.contains(origin)) {
      return;
    }
    response.set("Access-Control-Allow-Origin", origin);
    response.add("Vary", "Origin");
    if (preflight) {
      response.set("Access-Control-Allow-Methods", ALLOW_METHODS);
      response.set("Access-Control-Allow-Headers", ALLOW_HEADERS);
      response.set("Access-Control-Max-Age", MAX_AGE_SECONDS);
    }
  }
}
