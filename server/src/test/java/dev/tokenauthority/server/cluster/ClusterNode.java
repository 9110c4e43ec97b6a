package dev.tokenauthority.server.cluster;

import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One node of a cluster, as an operator runs it: a {@link TokenAuthorityServer} with a data dir
 * of its own, gRPC on a real Netty port and the REST gateway on a real HTTP port, on the
 * cluster's shared database and master key. Several nodes in one JVM are separate server
 * instances: nothing is shared between them but the database.
 */
final class ClusterNode implements AutoCloseable {
  /** Each node's pool: small, since other suites share the PostgreSQL server's max_connections. */
  static final int POOL_SIZE = 4;

  private final Path dataDir;
  private final TokenAuthorityServer server;
  private final ManagedChannel channel;
  private final HttpClient http = HttpClient.newHttpClient();

  private ClusterNode(Path dataDir, TokenAuthorityServer server) {
    this.dataDir = dataDir;
    this.server = server;
    this.channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  /** A fresh master key: base64 of 32 random bytes, as TA_MASTER_KEY takes it. */
  static String newMasterKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  /**
   * A node's settings: its own data dir, free ports, the shared database and master key, a
   * small pool, and room for the hundreds of deliberately refused credentials the tests send
   * from one loopback address.
   */
  static ServerConfig config(Path dataDir, String dbUrl, String masterKey) {
    return ServerConfig.defaults(dataDir).withDbUrl(dbUrl).withMasterKey(masterKey).withGrpcPort(0)
        .withHttpPort(ServerConfig.ANY_FREE_PORT).withDbPoolSize(POOL_SIZE).withMetricsPort(0)
        .withAuthFailuresPerMinute(10_000);
  }

  /** Starts a node (migrating and bootstrapping the database if this node gets there first). */
  static ClusterNode start(Path dataDir, String dbUrl, String masterKey) throws IOException {
    return start(config(dataDir, dbUrl, masterKey));
  }

  static ClusterNode start(ServerConfig config) throws IOException {
    TokenAuthorityServer server = new TokenAuthorityServer(config, Clock.systemUTC())
        .start(NettyServerBuilder.forPort(config.grpcPort()));
    return new ClusterNode(config.dataDir(), server);
  }

  Path dataDir() {
    return dataDir;
  }

  TokenAuthorityServer server() {
    return server;
  }

  int grpcPort() {
    return server.port();
  }

  int httpPort() {
    return server.httpPort();
  }

  /** The bootstrap admin secret, if this node won the bootstrap (only the winner writes the file). */
  Optional<String> bootstrapSecret() {
    Path file = dataDir.resolve("bootstrap-token");
    try {
      return Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.US_ASCII).trim()) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A gRPC client over this node's Netty port, authenticating with {@code secret} as a bearer token. */
  TokenAuthorityClient client(String secret) {
    return new TokenAuthorityClient(channel, Credentials.bearer(secret));
  }

  /** A request to this node's REST gateway. */
  HttpRequest.Builder request(String path, String bearer) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort() + path));
    return bearer == null ? request : request.header("Authorization", "Bearer " + bearer);
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String json, String bearer) throws IOException, InterruptedException {
    return send(request(path, bearer).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  @Override
  public void close() throws InterruptedException {
    try {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } finally {
      server.stop();
    }
  }
}
