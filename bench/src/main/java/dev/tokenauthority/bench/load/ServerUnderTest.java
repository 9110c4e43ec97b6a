package dev.tokenauthority.bench.load;

import dev.tokenauthority.bench.BenchMain;
import dev.tokenauthority.bench.TempDirs;
import dev.tokenauthority.server.TokenAuthorityServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A server the load goes to: started by the harness (fresh temp data dir, embedded H2) or already running. */
final class ServerUnderTest implements AutoCloseable {
  private static final long START_TIMEOUT_MILLIS = 120_000;

  final String description;
  final String host;
  final int grpcPort;
  /** 0 when unknown or off. */
  final int httpPort;
  final String bootstrapSecret;
  final boolean hasEcho;
  /** The process whose RSS is reported, or null. */
  final Long pid;
  private final Path dataDir;
  private final AutoCloseable stopper;

  private ServerUnderTest(String description, String host, int grpcPort, int httpPort, String bootstrapSecret,
      boolean hasEcho, Long pid, Path dataDir, AutoCloseable stopper) {
    this.description = description;
    this.host = host;
    this.grpcPort = grpcPort;
    this.httpPort = httpPort;
    this.bootstrapSecret = bootstrapSecret;
    this.hasEcho = hasEcho;
    this.pid = pid;
    this.dataDir = dataDir;
    this.stopper = stopper;
  }

  static ServerUnderTest inProcess() throws IOException {
    Path dataDir = Files.createTempDirectory("ta-bench-");
    TokenAuthorityServer server = BenchServer.start(dataDir);
    return new ServerUnderTest("in-process (this JVM; RSS includes the load generator)", "127.0.0.1", server.port(),
        server.httpPort(), readSecret(dataDir.resolve("bootstrap-token")), true, ProcessHandle.current().pid(),
        dataDir, server::stop);
  }

  static ServerUnderTest spawn(List<String> jvmOptions) throws IOException, InterruptedException {
    Path dataDir = Files.createTempDirectory("ta-bench-");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchMain.class.getName(),
        "serve", "--data-dir", dataDir.toString()));
    Path log = dataDir.resolve("server.log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Path portsFile = dataDir.resolve(ServeCommand.PORTS_FILE);
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
    while (!Files.exists(portsFile)) {
      if (!process.isAlive() || System.currentTimeMillis() > deadline) {
        process.destroyForcibly();
        throw new IOException("the spawned server did not start; its log:\n" + Files.readString(log));
      }
      Thread.sleep(50);
    }
    String[] ports = Files.readString(portsFile).trim().split(" ");
    String options = jvmOptions.isEmpty() ? "default JVM options" : String.join(" ", jvmOptions);
    return new ServerUnderTest("spawned JVM, pid " + process.pid() + ", " + options + " (RSS is the server's alone)",
        "127.0.0.1", Integer.parseInt(ports[0]), Integer.parseInt(ports[1]),
        readSecret(dataDir.resolve("bootstrap-token")), true, process.pid(), dataDir, () -> stop(process));
  }

  static ServerUnderTest target(String grpcTarget, String httpTarget, Path adminTokenFile, Long pid)
      throws IOException {
    HostPort grpc = HostPort.parse(grpcTarget);
    int httpPort = httpTarget == null ? 0 : HostPort.parse(httpTarget).port();
    if (httpTarget != null && !HostPort.parse(httpTarget).host().equals(grpc.host())) {
      throw new IllegalArgumentException("--http-target must be on the --target host");
    }
    return new ServerUnderTest("running server at " + grpcTarget + (pid == null ? "" : ", pid " + pid), grpc.host(),
        grpc.port(), httpPort, readSecret(adminTokenFile), false, pid, null, () -> {});
  }

  /** The directory for this run's scratch files (wrk script, token file): the data dir, or a new temp dir. */
  Path scratchDir() throws IOException {
    return dataDir != null ? dataDir : Files.createTempDirectory("ta-bench-");
  }

  /** The reported process's resident memory, in MiB, or -1 when unknown. */
  long rssMib() {
    return Rss.mib(pid, "VmRSS");
  }

  /** The reported process's peak resident memory so far, in MiB, or -1 when unknown. */
  long peakRssMib() {
    return Rss.mib(pid, "VmHWM");
  }

  @Override
  public void close() throws Exception {
    try {
      stopper.close();
    } finally {
      if (dataDir != null) {
        TempDirs.delete(dataDir);
      }
    }
  }

  private static void stop(Process process) throws InterruptedException {
    process.destroy(); // SIGTERM: the server's graceful stop
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  private static String readSecret(Path file) throws IOException {
    return Files.readString(file).trim();
  }

  record HostPort(String host, int port) {
    static HostPort parse(String text) {
      int colon = text.lastIndexOf(':');
      if (colon < 1) {
        throw new IllegalArgumentException("expected host:port, got " + text);
      }
      return new HostPort(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    }
  }
}
