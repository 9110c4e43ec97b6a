package dev.tokenauthority.bench.load;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Which server the load goes to; shared by {@code load} and {@code rest}. */
final class ServerOptions {
  enum Launch { spawn, in_process }

  @Option(names = "--server", defaultValue = "spawn",
      description = "How to start the server under test when no --target is given: spawn (a JVM of its own, the "
          + "default: its RSS is the server's alone) or in_process (this JVM: RSS includes the load generator). "
          + "Default ${DEFAULT-VALUE}.")
  Launch launch;

  @Option(names = "--server-jvm-opt", description = "A JVM option of the spawned server, repeatable (e.g. -Xmx512m, "
      + "-XX:StartFlightRecording=filename=server.jfr,settings=profile); giving any replaces the default. "
      + "Default: -Xmx256m, the heap of the README's start command.")
  List<String> serverJvmOptions = new ArrayList<>(List.of("-Xmx256m"));

  @Option(names = "--target", description = "host:port of a running server's gRPC port instead of starting one "
      + "(no echo baseline there).")
  String target;

  @Option(names = "--http-target", description = "host:port of that server's REST gateway (for wrk).")
  String httpTarget;

  @Option(names = "--admin-token-file", description = "With --target: a file holding a token with tenants:write "
      + "(the server's <data-dir>/bootstrap-token).")
  Path adminTokenFile;

  @Option(names = "--server-pid", description = "With --target: the server's process ID, to report its RSS.")
  Long serverPid;

  ServerUnderTest open() throws IOException, InterruptedException {
    if (target != null) {
      if (adminTokenFile == null) {
        throw new IllegalArgumentException("--target needs --admin-token-file");
      }
      return ServerUnderTest.target(target, httpTarget, adminTokenFile, serverPid);
    }
    return launch == Launch.spawn ? ServerUnderTest.spawn(serverJvmOptions) : ServerUnderTest.inProcess();
  }
}
