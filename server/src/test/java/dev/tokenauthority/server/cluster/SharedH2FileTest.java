package dev.tokenauthority.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.server.Main;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded H2 store is for one node: a second server process on the same data dir must
 * refuse to start (H2's file lock) rather than run a second, diverging authority. A cluster
 * needs PostgreSQL.
 */
class SharedH2FileTest {
  @TempDir Path dataDir;

  @Test
  void aSecondProcessOnTheSameH2DataDirRefusesToStart() throws Exception {
    TokenAuthorityServer first = new TokenAuthorityServer(
        ServerConfig.defaults(dataDir).withGrpcPort(0).withHttpPort(0).withMetricsPort(0), Clock.systemUTC())
        .start(NettyServerBuilder.forPort(0));
    try {
      Process second = new ProcessBuilder(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), Main.class.getName(),
          "--data-dir", dataDir.toString(), "--grpc-port", "0", "--http-port", "0"))
          .redirectErrorStream(true).start();
      boolean exited = second.waitFor(60, TimeUnit.SECONDS);
      if (!exited) {
        second.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String output = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(exited).as("the second process must not serve: %s", output).isTrue();
      assertThat(second.exitValue()).as(output).isNotZero();
      assertThat(output).containsIgnoringCase("already in use");
    } finally {
      first.stop();
    }
  }
}
