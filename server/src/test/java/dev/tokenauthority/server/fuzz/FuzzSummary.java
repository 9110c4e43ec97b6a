package dev.tokenauthority.server.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what a fuzz or property run tried and writes one line per run to the test log and to
 * {@code target/fuzz-summary.txt} (one line per target, the latest run's), so the figures can
 * be quoted: executions, how many inputs were rejected (bad inputs tried) and by what status.
 */
public final class FuzzSummary {
  public static final Path FILE = Path.of("target", "fuzz-summary.txt");

  private final String target;
  /** When the first execution was counted (server start-up and instrumentation are not counted). */
  private volatile long started;
  private final AtomicLong executions = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();

  public FuzzSummary(String target) {
    this.target = target;
  }

  /** One execution answered {@code outcome} (a gRPC code or an HTTP status); {@code rejected}: a 4xx / error. */
  public void count(String outcome, boolean rejected) {
    if (executions.getAndIncrement() == 0) {
      started = System.nanoTime();
    }
    if (rejected) {
      this.rejected.incrementAndGet();
    }
    outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
  }

  public long executions() {
    return executions.get();
  }

  /** Logs the line and replaces this target's line in {@link #FILE}. */
  public synchronized String write(String mode) {
    Map<String, Long> sorted = new TreeMap<>();
    outcomes.forEach((k, v) -> sorted.put(k, v.get()));
    Duration elapsed = Duration.ofNanos(executions.get() == 0 ? 0 : System.nanoTime() - started);
    String line = String.format("%s mode=%s executions=%d rejected=%d seconds=%.1f exec/s=%.0f outcomes=%s", target,
        mode, executions.get(), rejected.get(), elapsed.toMillis() / 1000.0,
        executions.get() / Math.max(0.001, elapsed.toMillis() / 1000.0), sorted);
    System.out.println("FUZZ SUMMARY " + line);
    try {
      List<String> lines = new ArrayList<>();
      if (Files.exists(FILE)) {
        Files.readAllLines(FILE, StandardCharsets.UTF_8).stream().filter(l -> !l.startsWith(target + " "))
            .forEach(lines::add);
      }
      lines.add(line);
      Files.createDirectories(FILE.toAbsolutePath().getParent());
      Files.write(FILE, lines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return line;
  }

  /** Whether Jazzer fuzzes in this JVM (JAZZER_FUZZ set) rather than replaying its inputs. */
  public static String jazzerMode() {
    String env = System.getenv("JAZZER_FUZZ");
    String property = System.getProperty("jazzer.fuzz");
    boolean fuzzing = (env != null && !env.isEmpty() && !env.equals("0") && !env.equalsIgnoreCase("false"))
        || (property != null && !property.equals("0") && !property.equalsIgnoreCase("false"));
    return fuzzing ? "fuzzing" : "regression";
  }
}
