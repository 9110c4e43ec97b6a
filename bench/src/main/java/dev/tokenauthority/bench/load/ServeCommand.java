package dev.tokenauthority.bench.load;

import ch.qos.logback.classic.Level;
import dev.tokenauthority.server.Logs;
import dev.tokenauthority.server.TokenAuthorityServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
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
    // the production server's logging configuration, as Main loads it by default...
    Logs.configure(Logs.LogLevel.INFO, Logs.Format.TEXT);
    // ...less the request log: one line per call would fill the disk under load and measure it
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logs.REQUEST_LOGGER)).setLevel(Level.WARN);
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
