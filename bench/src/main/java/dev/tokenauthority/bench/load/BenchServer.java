package dev.tokenauthority.bench.load;

import dev.tokenauthority.server.Main;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The server under test: the production server with its defaults (embedded H2 in
 * {@code dataDir}, REST gateway on), on the production gRPC transport
 * ({@link Main#grpcServerBuilder}), plus the {@link Echo} baseline on that same builder.
 * Ports are picked free.
 */
final class BenchServer {
  private BenchServer() {}

  static TokenAuthorityServer start(Path dataDir) throws IOException {
    ServerConfig config = ServerConfig.defaults(dataDir).withGrpcPort(0).withHttpPort(ServerConfig.ANY_FREE_PORT)
        .withMetricsPort(0); // as before metrics existed, so results stay comparable
    return new TokenAuthorityServer(config, Clock.systemUTC())
        .start(Main.grpcServerBuilder(config.grpcPort()).addService(Echo.service()));
  }
}
