package dev.tokenauthority.bench.load;

import dev.tokenauthority.server.TokenAuthorityServer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import java.util.logging.LogManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server process {@code load --server spawn} starts: {@link BenchServer} in a JVM of its
 * own, so the load generator's CPU, heap and GC stay out of its RSS. When it listens it writes
 * {@value #PORTS_FILE} (gRPC and HTTP port) into the data dir; SIGTERM stops it gracefully.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Runs the server under test (production services + echo baseline) until SIGTERM.")
public final class ServeCommand implements Callable<Integer> {
  static final String PORTS_FILE = "bench-ports";

  @Option(names = "--data-dir", required = true, description = "A fresh directory for the H2 store and bootstrap token.")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    // the production server's logging configuration, as Main.main loads it
    try (InputStream logging = TokenAuthorityServer.class.getResourceAsStream("/logging.properties")) {
      LogManager.getLogManager().readConfiguration(logging);
    }
    TokenAuthorityServer server = BenchServer.start(dataDir);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "shutdown"));
    Path pending = Files.writeString(dataDir.resolve(PORTS_FILE + ".pending"), server.port() + " " + server.httpPort());
    Files.move(pending, dataDir.resolve(PORTS_FILE), StandardCopyOption.ATOMIC_MOVE);
    server.blockUntilShutdown();
    return 0;
  }
}
