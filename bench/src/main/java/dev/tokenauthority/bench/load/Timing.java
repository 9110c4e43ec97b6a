package dev.tokenauthority.bench.load;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How long each run warms up and measures, and where the Markdown goes; shared by {@code load} and {@code rest}. */
final class Timing {
  @Option(names = "--warmup", defaultValue = "5", description = "Seconds of warm-up before each measured run (default ${DEFAULT-VALUE}).")
  int warmupSeconds;

  @Option(names = "--duration", defaultValue = "10", description = "Seconds measured per run (default ${DEFAULT-VALUE}).")
  int durationSeconds;

  @Option(names = "--markdown", description = "Also write the results as Markdown to this file.")
  Path markdown;

  Duration warmup() {
    return Duration.ofSeconds(warmupSeconds);
  }

  Duration duration() {
    return Duration.ofSeconds(durationSeconds);
  }
}
