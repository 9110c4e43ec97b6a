package dev.tokenauthority.server.gateway;

import io.grpc.Channel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * The embedded REST gateway's request handling ({@link RestGateway#handle}: routing,
 * transcoding, the gRPC call, status and error body) driven in memory, without a socket
 * between client and gateway: for tests that send thousands of HTTP requests (the JDK's HTTP
 * client and server on loopback cost tens of milliseconds a request).
 */
public final class InMemoryGateway implements AutoCloseable {
  /** An HTTP answer: status and body. */
  public record Answer(int status, String body) {}

  private final RestGateway gateway;

  private InMemoryGateway(RestGateway gateway) {
    this.gateway = gateway;
  }

  /** A gateway calling {@code channel}, as the server's own calls its in-process backend. */
  public static InMemoryGateway over(Channel channel) throws IOException {
    return new InMemoryGateway(RestGateway.start(0, channel, Set.of()));
  }

  /** Sends one request; {@code pathAndQuery} is the raw (percent-encoded) request target. */
  public Answer send(String method, String pathAndQuery, Map<String, String> headers, byte[] body) throws IOException {
    FakeExchange exchange = new FakeExchange(method, URI.create(pathAndQuery), headers, body,
        new InetSocketAddress("127.0.0.1", 40_000));
    gateway.handle(exchange);
    return new Answer(exchange.status(), exchange.responseBody());
  }

  @Override
  public void close() {
    gateway.close();
  }
}
