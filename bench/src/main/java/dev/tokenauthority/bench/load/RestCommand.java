package dev.tokenauthority.bench.load;

import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** REST only: prints the wrk command lines against the embedded gateway and runs them when wrk is installed. */
@Command(name = "rest", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Prints the wrk commands for the REST operations (POST /tokens, ...) and runs them if wrk is installed.")
public final class RestCommand implements Callable<Integer> {

  @Mixin
  ServerOptions serverOptions;

  @Mixin
  Timing timing;

  @Mixin
  RestOptions restOptions;

  @Override
  public Integer call() throws Exception {
    try (ServerUnderTest server = serverOptions.open(); Session session = new Session(server, 1)) {
      List<Wrk.Result> results = RestLoad.run(server, session.fixture, restOptions, timing);
      Report report = new Report(String.format(Locale.ROOT, "Server: %s. REST: wrk -t%d -c%d, %d s warm-up, %d s measured.",
          server.description, restOptions.threads, restOptions.connections, timing.warmupSeconds,
          timing.durationSeconds));
      report.rest(results, List.of());
      report.line("Server peak RSS (VmHWM): " + Report.mib(server.peakRssMib()) + " MiB.");
      System.out.println(report.markdown());
      if (timing.markdown != null) {
        Files.writeString(timing.markdown, report.markdown());
      }
      return 0;
    }
  }
}
