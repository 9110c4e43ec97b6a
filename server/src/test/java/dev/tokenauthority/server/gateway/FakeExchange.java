package dev.tokenauthority.server.gateway;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * An HTTP exchange in memory: what the JDK's HttpServer hands {@link RestGateway#handle} for one
 * request (a parsed URI, headers, the body), with the answer captured instead of written to
 * a socket. Lets the fuzz test drive the gateway at tens of thousands of requests a second.
 */
final class FakeExchange extends HttpExchange {
  private final String method;
  private final URI uri;
  private final Headers requestHeaders = new Headers();
  private final Headers responseHeaders = new Headers();
  private final InputStream body;
  private final ByteArrayOutputStream response = new ByteArrayOutputStream();
  private final Map<String, Object> attributes = new HashMap<>();
  private final InetSocketAddress remote;
  private int status = -1;

  FakeExchange(String method, URI uri, Map<String, String> headers, byte[] body, InetSocketAddress remote) {
    this.method = method;
    this.uri = uri;
    headers.forEach(requestHeaders::add);
    this.body = new ByteArrayInputStream(body);
    this.remote = remote;
  }

  int status() {
    return status;
  }

  String responseBody() {
    return response.toString(StandardCharsets.UTF_8);
  }

  @Override
  public Headers getRequestHeaders() {
    return requestHeaders;
  }

  @Override
  public Headers getResponseHeaders() {
    return responseHeaders;
  }

  @Override
  public URI getRequestURI() {
    return uri;
  }

  @Override
  public String getRequestMethod() {
    return method;
  }

  @Override
  public HttpContext getHttpContext() {
    return null;
  }

  @Override
  public void close() {}

  @Override
  public InputStream getRequestBody() {
    return body;
  }

  @Override
  public OutputStream getResponseBody() {
    return response;
  }

  @Override
  public void sendResponseHeaders(int code, long length) {
    if (status != -1) {
      throw new IllegalStateException("headers already sent (" + status + "), now " + code);
    }
    status = code;
  }

  @Override
  public InetSocketAddress getRemoteAddress() {
    return remote;
  }

  @Override
  public int getResponseCode() {
    return status;
  }

  @Override
  public InetSocketAddress getLocalAddress() {
    return new InetSocketAddress("127.0.0.1", 8080);
  }

  @Override
  public String getProtocol() {
    return "HTTP/1.1";
  }

  @Override
  public Object getAttribute(String name) {
    return attributes.get(name);
  }

  @Override
  public void setAttribute(String name, Object value) {
    attributes.put(name, value);
  }

  @Override
  public void setStreams(InputStream in, OutputStream out) {
    throw new UnsupportedOperationException();
  }

  @Override
  public HttpPrincipal getPrincipal() {
    return null;
  }
}
