package dev.tokenauthority.bench.load;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Prints the wrk command lines of every REST operation and, when wrk is installed, runs them. */
final class RestLoad {
  private RestLoad() {}

  static List<Wrk.Result> run(ServerUnderTest server, Fixture fixture, RestOptions options, Timing timing)
      throws IOException, InterruptedException {
    if (server.httpPort == 0) {
      System.out.println("REST: no gateway port (with --target, give --http-target): skipped");
      return List.of();
    }
    Wrk wrk = new Wrk(server.scratchDir(), fixture.adminSecret(), server.host, server.httpPort, options.threads,
        options.connections);
    Optional<Path> executable = Wrk.executable();
    List<Wrk.Result> results = new ArrayList<>();
    for (Wrk.RestOperation operation : Wrk.OPERATIONS) {
      String warmupRun = fixture.runId() + "-warmup-" + operation.name();
      String measuredRun = fixture.runId() + "-" + operation.name();
      System.out.println("REST " + operation.name() + ": " + operation.description());
      if (timing.warmupSeconds > 0) {
        System.out.println("  warm-up:  " + wrk.commandLine(operation, warmupRun, timing.warmup()));
      }
      System.out.println("  measured: " + wrk.commandLine(operation, measuredRun, timing.duration()));
      if (executable.isPresent()) {
        if (timing.warmupSeconds > 0) {
          wrk.run(executable.get(), operation, warmupRun, timing.warmup());
        }
        Wrk.Result result = wrk.run(executable.get(), operation, measuredRun, timing.duration());
        System.out.printf("  %,.0f requests/s, p99 %.2f ms, %d non-2xx, %d socket errors%n",
            result.requestsPerSecond(), result.p99Micros() / 1e3, result.statusErrors(), result.socketErrors());
        results.add(result);
      }
    }
    if (executable.isEmpty()) {
      System.out.println("REST: wrk is not installed (Debian: apt-get install -y wrk): commands printed, not run");
    }
    return results;
  }
}
