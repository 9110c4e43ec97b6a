package dev.tokenauthority.bench.load;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The Markdown of a load run: its settings, one table per kind of run, and what failed. */
final class Report {
  private final StringBuilder out = new StringBuilder();

  Report(String settings) {
    out.append(settings).append("\n\n");
  }

  void closedLoop(List<Measurement> runs, Map<String, Long> rssMib) {
    if (runs.isEmpty()) {
      return;
    }
    Optional<Measurement> echo = runs.stream().filter(m -> m.operation().equals(Operations.ECHO)).findFirst();
    out.append("### gRPC, closed loop (peak)\n\n")
        .append("| operation | what it does | calls/s | of echo | p50 ms | p99 ms | p99.9 ms | max ms | failed | server RSS MiB |\n")
        .append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Measurement m : runs) {
      String ofEcho = echo.map(e -> percent(m.callsPerSecond() / e.callsPerSecond())).orElse("n/a");
      out.append(format("| %s | %s | %,.0f | %s | %.2f | %.2f | %.2f | %.2f | %d | %s |%n", m.operation(),
          m.description(), m.callsPerSecond(), ofEcho, m.millis(50), m.millis(99), m.millis(99.9), m.maxMillis(),
          m.failures(), mib(rssMib.getOrDefault(m.operation(), -1L))));
    }
    out.append('\n');
  }

  void openLoop(List<Measurement> runs) {
    if (runs.isEmpty()) {
      return;
    }
    out.append("### gRPC, open loop (fixed rate; latency from when each call was due)\n\n")
        .append("| operation | target calls/s | achieved calls/s | p50 ms | p99 ms | p99.9 ms | max ms | failed |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Measurement m : runs) {
      out.append(format("| %s | %,.0f | %,.0f | %.2f | %.2f | %.2f | %.2f | %d |%n", m.operation(), m.targetRate(),
          m.callsPerSecond(), m.millis(50), m.millis(99), m.millis(99.9), m.maxMillis(), m.failures()));
    }
    out.append('\n');
  }

  void rest(List<Wrk.Result> runs, List<Measurement> grpcPeaks) {
    if (runs.isEmpty()) {
      return;
    }
    out.append("### REST through the embedded gateway (wrk, HTTP/1.1)\n\n")
        .append("| operation | what it does | requests/s | of gRPC | p50 ms | p99 ms | p99.9 ms | max ms | non-2xx | socket errors |\n")
        .append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Wrk.Result r : runs) {
      String ofGrpc = grpcPeaks.stream().filter(m -> m.operation().equals(r.operation().grpcTwin())).findFirst()
          .map(m -> percent(r.requestsPerSecond() / m.callsPerSecond()) + " of " + m.operation()).orElse("n/a");
      out.append(format("| %s | %s | %,.0f | %s | %.2f | %.2f | %.2f | %.2f | %d | %d |%n", r.operation().name(),
          r.operation().description(), r.requestsPerSecond(), ofGrpc, r.p50Micros() / 1e3, r.p99Micros() / 1e3,
          r.p999Micros() / 1e3, r.maxMicros() / 1e3, r.statusErrors(), r.socketErrors()));
    }
    out.append('\n');
    runs.forEach(r -> out.append("- `").append(r.command()).append("`\n"));
    out.append('\n');
  }

  /** The first unexpected status of every run that had one: a run with failures measured something else. */
  void failures(List<Measurement> runs) {
    runs.stream().filter(m -> m.firstFailure() != null).forEach(m -> out.append(format(
        "- %s (%s loop): %d failed calls in the window; first unexpected status: %s%n", m.operation(), m.mode(),
        m.failures(), m.firstFailure())));
  }

  void line(String text) {
    out.append(text).append("\n\n");
  }

  String markdown() {
    return out.toString();
  }

  static String mib(long mib) {
    return mib < 0 ? "n/a" : Long.toString(mib);
  }

  private static String percent(double fraction) {
    return format("%.0f%%", fraction * 100);
  }

  private static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
