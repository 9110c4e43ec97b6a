package dev.tokenauthority.bench;

import dev.tokenauthority.bench.micro.JmhCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The benchmark harness: {@code jmh}. */
@Command(name = "token-authority-bench", mixinStandardHelpOptions = true,
    description = "Benchmarks of Token Authority: microbenchmarks and end-to-end load. bench/run runs them all.",
    subcommands = JmhCommand.class)
public final class BenchMain {

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }
}
