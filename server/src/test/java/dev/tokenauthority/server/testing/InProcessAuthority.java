package dev.tokenauthority.server.testing;

import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A real Token Authority (H2 file store in {@code dataDir}, real keys, real bootstrap)
 * served in-process, with a channel to it. Restartable on the same data dir.
 */
public final class InProcessAuthority implements AutoCloseable {
  private final Path dataDir;
  private final MutableClock clock;
  private final UnaryOperator<ServerConfig> configure;
  private TokenAuthorityServer server;
  private ManagedChannel channel;

  private InProcessAuthority(Path dataDir, MutableClock clock, UnaryOperator<ServerConfig> configure) {
    this.dataDir = dataDir;
    this.clock = clock;
    this.configure = configure;
  }

  /** Starts a server on {@code dataDir} (bootstrapping it if empty) with a clock at the current time. */
  public static InProcessAuthority start(Path dataDir) {
    return start(dataDir, UnaryOperator.identity());
  }

  /**
   * Starts a server with {@code config} (its data dir bootstrapped if empty) and a clock at
   * the current time; with an HTTP port set, the REST gateway answers on {@link #httpPort()}.
   */
  public static InProcessAuthority start(ServerConfig config) {
    InProcessAuthority authority = new InProcessAuthority(config.dataDir(), new MutableClock(Instant.now()),
        defaults -> config);
    authority.boot();
    return authority;
  }

  /** Likewise, with the default configuration changed by {@code configure} (on every start). */
  public static InProcessAuthority start(Path dataDir, UnaryOperator<ServerConfig> configure) {
    InProcessAuthority authority = new InProcessAuthority(dataDir, new MutableClock(Instant.now()), configure);
    authority.boot();
    return authority;
  }

  private void boot() {
    try {
      String name = InProcessServerBuilder.generateName();
      server = new TokenAuthorityServer(configure.apply(TestStores.config(dataDir).withHttpPort(0)), clock)
          .start(InProcessServerBuilder.forName(name).directExecutor());
      channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the server and starts a new one on the same data dir. */
  public void restart() {
    close();
    boot();
  }

  public MutableClock clock() {
    return clock;
  }

  public Path dataDir() {
    return dataDir;
  }

  public ManagedChannel channel() {
    return channel;
  }

  /** The REST gateway's port, or 0 when it is off. */
  public int httpPort() {
    return server.httpPort();
  }

  /** The bootstrap admin token's secret, as the first start wrote it. */
  public String adminSecret() {
    try {
      return Files.readString(dataDir.resolve("bootstrap-token"), StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client authenticating with {@code secret} as a bearer token. */
  public TokenAuthorityClient client(String secret) {
    return new TokenAuthorityClient(channel, Credentials.bearer(secret));
  }

  /** A client authenticating as the bootstrap admin (every scope). */
  public TokenAuthorityClient admin() {
    return client(adminSecret());
  }

  @Override
  public void close() {
    try {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
