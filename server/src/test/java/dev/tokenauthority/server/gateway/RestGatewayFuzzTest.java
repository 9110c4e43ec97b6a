package dev.tokenauthority.server.gateway;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.tokenauthority.server.fuzz.Entropy;
import dev.tokenauthority.server.fuzz.FuzzServer;
import dev.tokenauthority.server.fuzz.FuzzSummary;
import dev.tokenauthority.server.fuzz.Outcomes;
import dev.tokenauthority.server.fuzz.RequestGenerator;
import dev.tokenauthority.server.gateway.HttpRoutes.Match;
import dev.tokenauthority.server.gateway.HttpRoutes.Route;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the REST gateway's request parsing: verb, path (every HTTP rule's
 * pattern with fuzzed variables, or any path), query string, headers (credentials,
 * Content-Type, Origin, grpc-timeout, x-forwarded-for) and body (JSON built from the route's
 * request message, then possibly broken, or raw bytes), driven through
 * {@link RestGateway#handle} in memory against a real in-process Token Authority. Never HTTP
 * 500, no stack trace, every 400 names a field of the request or says what is wrong, every
 * request answered within {@link FuzzServer#LIMIT}.
 *
 * <p>{@code mvn -B verify} fuzzes it for a bounded time in its own JVM (the {@code fuzz}
 * profile in server/pom.xml); without {@code JAZZER_FUZZ} it replays its inputs directory.
 */
class RestGatewayFuzzTest {
  private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD",
      "post", "BREW");
  private static final List<String> QUERY_KEYS = List.of("page_size", "page_token", "status", "start_time", "end_time",
      "action", "tenant_id", "accountId", "pageSize", "pageToken", "expires_in", "record", "account.id", "name",
      "surprise", "", "a.b.c", "scopes", "%zz", "page_size[]");
  private static final List<String> QUERY_VALUES = List.of("", "1", "0", "-1", "501", "abc", "%zz", "%", "%e9",
      "2026-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "10000-01-01T00:00:00Z", "99999999999999999999", "true",
      "active", "revoked", "token.mint", "a+b", "%00");
  private static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8",
      "APPLICATION/JSON", "application/merge-patch+json", "text/plain", "", ";", "multipart/form-data; boundary=x");
  private static final List<String> TIMEOUTS = List.of("1n", "10m", "5S", "1H", "bad", "99999999H", "0m", "123456789m");
  private static final Pattern VARIABLE = Pattern.compile("\\{[^}]*}");

  private static FuzzServer server;
  private static RestGateway gateway;
  private static HttpRoutes routes;
  private static String admin;
  private static FuzzSummary summary;

  @BeforeAll
  static void start() throws Exception {
    server = FuzzServer.start("rest");
    admin = server.authority().adminSecret();
    gateway = RestGateway.start(0, server.authority().channel(), Set.of("https://dashboard.example.com"));
    routes = HttpRoutes.fromClasspath("/tokenauthority.pb");
    summary = new FuzzSummary("RestGatewayFuzzTest");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      summary.write(FuzzSummary.jazzerMode());
      gateway.close();
      server.close();
    }
  }

  @FuzzTest(maxDuration = "20s")
  void restRequest(FuzzedDataProvider data) throws Exception {
    Entropy entropy = Entropy.of(data);
    String method = entropy.pick(METHODS);
    Route template = entropy.below(5) == 0 ? null : routes.routes().get(entropy.below(routes.routes().size()));
    String path = template == null ? "/" + entropy.text(60) : pathOf(template, entropy);
    String query = entropy.below(3) == 0 ? query(entropy) : null;
    Map<String, String> headers = headers(entropy, method);
    byte[] body = body(entropy, template);
    URI uri;
    try {
      uri = new URI(path + (query == null ? "" : "?" + query));
    } catch (URISyntaxException e) {
      summary.count("unparseable-uri", true); // the JDK server answers 400 before any handler
      return;
    }
    if (uri.getRawPath() == null) {
      summary.count("unparseable-uri", true);
      return;
    }
    // what the request says, raw and decoded (an echo of the caller's own text is no leak)
    String request = method + " " + uri + " " + headers + " " + new String(body, StandardCharsets.UTF_8) + "\n"
        + decoded(uri.getRawQuery()) + "\n" + jsonStrings(new String(body, StandardCharsets.UTF_8));
    FakeExchange exchange = new FakeExchange(method, uri, headers, body,
        new InetSocketAddress("10.0." + entropy.below(4) + "." + entropy.below(256), 40_000));
    server.bounded(() -> {
      gateway.handle(exchange);
      return null;
    }, request);
    if (exchange.status() < 0) {
      throw new AssertionError("no answer at all to " + request);
    }
    Descriptor[] types = typesOf(method, uri.getRawPath());
    Outcomes.checkHttp(exchange.status(), exchange.responseBody(), request, headers.containsKey("grpc-timeout"), types);
    summary.count(Integer.toString(exchange.status()), exchange.status() >= 400);
  }

  /** The query string as the gateway reads it (percent-decoded), or "" when it does not decode. */
  private static String decoded(String rawQuery) {
    try {
      return rawQuery == null ? "" : java.net.URLDecoder.decode(rawQuery, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  /** Every string and member name of a JSON body, unescaped ("" when it is no JSON). */
  private static String jsonStrings(String body) {
    StringBuilder out = new StringBuilder();
    try {
      collect(com.google.gson.JsonParser.parseString(body), out);
    } catch (RuntimeException e) {
      // not JSON: the raw text is all there is
    }
    return out.toString();
  }

  private static void collect(com.google.gson.JsonElement element, StringBuilder out) {
    if (element.isJsonPrimitive()) {
      out.append(element.getAsString()).append('\n');
    } else if (element.isJsonArray()) {
      element.getAsJsonArray().forEach(e -> collect(e, out));
    } else if (element.isJsonObject()) {
      element.getAsJsonObject().entrySet().forEach(e -> {
        out.append(e.getKey()).append('\n');
        collect(e.getValue(), out);
      });
    }
  }

  /** The request message (and body message) of the route the request resolves to, if any. */
  private static Descriptor[] typesOf(String method, String rawPath) {
    if (routes.resolve(method, rawPath) instanceof Match match) {
      Descriptor request = match.route().method().getInputType();
      String body = match.route().body();
      if (body.isEmpty() || body.equals("*")) {
        return new Descriptor[] {request};
      }
      return new Descriptor[] {request, request.findFieldByName(body).getMessageType()};
    }
    return new Descriptor[0];
  }

  private static String pathOf(Route route, Entropy entropy) {
    Matcher m = VARIABLE.matcher(route.pattern());
    StringBuilder path = new StringBuilder();
    while (m.find()) {
      String value = switch (entropy.below(4)) {
        case 0 -> entropy.text(30);
        case 1 -> "%" + entropy.text(4);
        default -> entropy.pick(RequestGenerator.KNOWN_IDS);
      };
      m.appendReplacement(path, Matcher.quoteReplacement(value));
    }
    m.appendTail(path);
    if (entropy.below(8) == 0) {
      path.append(entropy.pick(List.of("/", "//", "/x", ":introspect", "%2F", "/..")));
    }
    return path.toString();
  }

  private static String query(Entropy entropy) {
    StringBuilder query = new StringBuilder();
    int pairs = 1 + entropy.below(3);
    for (int i = 0; i < pairs; i++) {
      if (i > 0) {
        query.append('&');
      }
      query.append(entropy.below(6) == 0 ? entropy.text(12) : entropy.pick(QUERY_KEYS));
      if (entropy.below(6) != 0) {
        query.append('=').append(entropy.below(6) == 0 ? entropy.text(20) : entropy.pick(QUERY_VALUES));
      }
    }
    return query.toString();
  }

  private static Map<String, String> headers(Entropy entropy, String method) {
    Map<String, String> headers = new LinkedHashMap<>();
    switch (entropy.below(8)) {
      case 0, 1, 2 -> headers.put("Authorization", "Bearer " + admin);
      case 3 -> headers.put("x-api-key", admin);
      case 4 -> headers.put("Authorization", entropy.pick(List.of("Bearer ", "Bearer garbage", "Basic YTpi", "bearer "
          + admin, "Bearer " + admin.substring(0, admin.length() - 1) + "x", "Bearer " + admin + " " + admin)));
      case 5 -> headers.put("Authorization", "Bearer " + latin1(entropy.text(60)));
      default -> { } // none
    }
    if (entropy.below(4) != 0) {
      headers.put("Content-Type", entropy.below(8) == 0 ? latin1(entropy.text(30)) : entropy.pick(CONTENT_TYPES));
    }
    if (entropy.below(6) == 0) {
      headers.put("Origin", entropy.pick(List.of("https://dashboard.example.com", "https://evil.example", "null")));
      if (method.equals("OPTIONS")) {
        headers.put("Access-Control-Request-Method", "POST");
      }
    }
    if (entropy.below(8) == 0) {
      headers.put("grpc-timeout", entropy.pick(TIMEOUTS));
    }
    if (entropy.below(8) == 0) {
      headers.put("x-forwarded-for", entropy.below(2) == 0 ? latin1(entropy.text(40))
          : entropy.pick(List.of("1.2.3.4", "::1, 10.0.0.1", "unknown", "", ",,,", "300.1.1.1")));
    }
    return headers;
  }

  /** Header text as an HTTP/1.1 server delivers it: ISO-8859-1, no CR or LF (those end the header). */
  private static String latin1(String text) {
    StringBuilder out = new StringBuilder();
    text.chars().filter(c -> c < 256 && c != '\r' && c != '\n').forEach(c -> out.append((char) c));
    return out.toString().trim();
  }

  private static byte[] body(Entropy entropy, Route route) throws InvalidProtocolBufferException {
    int kind = entropy.below(route == null ? 3 : 8);
    if (kind == 0) {
      return new byte[0];
    }
    if (kind == 1) {
      return entropy.text(400).getBytes(StandardCharsets.UTF_8);
    }
    if (kind == 2) {
      if (entropy.below(64) == 0) {
        return ("{\"name\": \"" + "a".repeat(RestGateway.MAX_BODY_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
      }
      return entropy.pick(List.of("{", "}", "[]", "null", "{\"a\":", "{}", "\"x\"", "1", "{\"name\": 1}",
          "{\"name\": null}", "{\"scopes\": \"tokens:read\"}", "{\"expires_at\": 1}", "{\"expires_in\": \"1e3\"}",
          "{\"expires_in\": 1.5}", "{\"expire_after_minutes\": 99999999999}", "{\"name\": \"\\ud800\"}",
          "{\"name\": \"x\", \"name\": \"y\"}", "{\"@type\": \"x\"}", "{\"expires_at\": \"2026-13-01T00:00:00Z\"}"))
          .getBytes(StandardCharsets.UTF_8);
    }
    // JSON of the route's own body message, generated field by field
    Descriptor request = route.method().getInputType();
    Descriptor type = route.body().isEmpty() || route.body().equals("*") ? request
        : request.findFieldByName(route.body()).getMessageType();
    String json = JsonFormat.printer().print(new RequestGenerator(entropy, true, Instant.now()).message(type));
    if (entropy.below(6) == 0) { // break it a little
      int at = entropy.below(json.length() + 1);
      json = json.substring(0, at) + entropy.pick(List.of("", ",", "\"", "}", "{\"x\":1}", "null", "1e999", "-0"))
          + json.substring(Math.min(json.length(), at + entropy.below(3)));
    }
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
