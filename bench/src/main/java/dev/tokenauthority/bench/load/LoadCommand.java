package dev.tokenauthority.bench.load;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The end-to-end load generator: every gRPC operation at its peak (closed loop), then at a
 * fraction of that peak (open loop), then the REST operations through wrk.
 */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Drives a server over gRPC (and REST via wrk) and reports throughput and p50/p99/p99.9 latency.")
public final class LoadCommand implements Callable<Integer> {

  @Mixin
  ServerOptions serverOptions;

  @Mixin
  Timing timing;

  @Option(names = "--connections", defaultValue = "4", description = "HTTP/2 connections (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--revoke-pool", defaultValue = "40000",
      description = "Workspace tokens minted before the revoke run, one revoked per call; past them revocations "
          + "repeat, which is idempotent (default ${DEFAULT-VALUE}).")
  int revokePool;

  @Option(names = "--outstanding", defaultValue = "16",
      description = "Calls outstanding per connection in the closed loop (default ${DEFAULT-VALUE}).")
  int outstanding;

  @Option(names = "--ops", split = ",", description = "Operations to run, comma-separated (default: all; "
      + "echo, mint_record, mint_fault, mint_api, mint_access, mint_workspace, authenticate).")
  List<String> only;

  @Option(names = "--open-loop-fraction", defaultValue = "0.8",
      description = "Open-loop rate as a fraction of each operation's closed-loop peak; 0 skips it (default ${DEFAULT-VALUE}).")
  double openLoopFraction;

  @Option(names = "--open-loop-max-outstanding", defaultValue = "10000",
      description = "Most calls in flight in the open loop; beyond it calls wait and their wait counts (default ${DEFAULT-VALUE}).")
  int openLoopMaxOutstanding;

  @Option(names = "--echo-bytes", defaultValue = "64", description = "Echo payload (default ${DEFAULT-VALUE}).")
  int echoBytes;

  @Option(names = "--preload-tokens", defaultValue = "0",
      description = "Workspace tokens to store before measuring, for the scale check (default ${DEFAULT-VALUE}).")
  long preloadTokens;

  @Option(names = "--no-rest", description = "Skip the REST (wrk) runs.")
  boolean noRest;

  @Mixin
  RestOptions restOptions;

  @Override
  public Integer call() throws Exception {
    try (ServerUnderTest server = serverOptions.open();
        Session session = new Session(server, connections);
        LoadDriver driver = new LoadDriver(session.connections)) {
      Operations.RevokePool revocable = new Operations.RevokePool();
      List<Operation<?, ?>> operations = selected(Operations.grpc(session.fixture, echoBytes, revocable),
          server.hasEcho);
      if (preloadTokens > 0) {
        System.out.printf("Storing %,d workspace tokens first%n", preloadTokens);
        driver.repeat(operations.stream().filter(o -> o.name.equals(Operations.MINT_WORKSPACE)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("--preload-tokens needs mint_workspace in --ops")),
            setUpOutstanding(), preloadTokens);
      }
      List<Measurement> peaks = new ArrayList<>();
      List<Measurement> fixedRate = new ArrayList<>();
      Map<String, Long> rssMib = new HashMap<>();
      for (Operation<?, ?> operation : operations) {
        if (operation.name.equals(Operations.REVOKE)) {
          if (revokePool < 1) {
            throw new IllegalArgumentException("--revoke-pool must be 1 or more for the revoke run");
          }
          System.out.printf("Minting %,d workspace tokens for the revoke run%n", revokePool);
          driver.repeat(Operations.revokePoolMinter(session.fixture, revocable), setUpOutstanding(), revokePool);
          revocable.freeze();
        }
        Measurement peak = driver.closedLoop(operation, outstanding, timing.warmup(), timing.duration());
        rssMib.put(operation.name, server.rssMib());
        print(peak);
        peaks.add(peak);
        if (openLoopFraction > 0 && peak.callsPerSecond() > 0) {
          Measurement open = driver.openLoop(operation, openLoopFraction * peak.callsPerSecond(),
              openLoopMaxOutstanding, timing.warmup(), timing.duration());
          print(open);
          fixedRate.add(open);
        }
      }
      List<Wrk.Result> rest = noRest ? List.of() : RestLoad.run(server, session.fixture, restOptions, timing);

      Report report = new Report(String.format(Locale.ROOT,
          "Server: %s. gRPC: %d connections × %d calls outstanding (closed loop); open loop at %.0f%% of each "
              + "operation's closed-loop peak; %d s warm-up and %d s measured per run; echo payload %d bytes; "
              + "%,d tokens stored before measuring (plus those the runs mint). REST: wrk -t%d -c%d.",
          server.description, connections, outstanding, openLoopFraction * 100, timing.warmupSeconds,
          timing.durationSeconds, echoBytes, preloadTokens, restOptions.threads, restOptions.connections));
      report.closedLoop(peaks, rssMib);
      report.openLoop(fixedRate);
      report.rest(rest, peaks);
      report.line("Server peak RSS (VmHWM) over the whole run: " + Report.mib(server.peakRssMib()) + " MiB.");
      List<Measurement> all = new ArrayList<>(peaks);
      all.addAll(fixedRate);
      report.failures(all);
      System.out.println();
      System.out.println(report.markdown());
      if (timing.markdown != null) {
        Files.writeString(timing.markdown, report.markdown());
      }
      return all.stream().anyMatch(m -> m.firstFailure() != null) ? 1 : 0;
    }
  }

  /**
   * Calls in flight per connection while storing tokens before a run: fewer, over all
   * connections, than the server's default cap (40), since a shed mint ends the run.
   */
  private int setUpOutstanding() {
    return Math.min(outstanding, 8);
  }

  private List<Operation<?, ?>> selected(List<Operation<?, ?>> operations, boolean hasEcho) {
    List<Operation<?, ?>> selected = new ArrayList<>();
    for (Operation<?, ?> operation : operations) {
      boolean wanted = only == null || only.contains(operation.name);
      if (wanted && operation.name.equals(Operations.ECHO) && !hasEcho) {
        System.out.println("echo: the target server has no echo baseline; skipped (ratios to echo are n/a)");
      } else if (wanted) {
        selected.add(operation);
      }
    }
    if (only != null) {
      only.stream().filter(name -> operations.stream().noneMatch(o -> o.name.equals(name))).findFirst()
          .ifPresent(name -> {
            throw new IllegalArgumentException("no operation " + name);
          });
    }
    return selected;
  }

  private static void print(Measurement m) {
    System.out.printf(Locale.ROOT, "%-15s %-6s %,10.0f calls/s  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  failed %d%s%n",
        m.operation(), m.mode(), m.callsPerSecond(), m.millis(50), m.millis(99), m.millis(99.9), m.failures(),
        m.firstFailure() == null ? "" : " (" + m.firstFailure() + ")");
  }
}
