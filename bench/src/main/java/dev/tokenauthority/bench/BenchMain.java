package dev.tokenauthority.bench;

import dev.tokenauthority.bench.load.LoadCommand;
import dev.tokenauthority.bench.load.RestCommand;
import dev.tokenauthority.bench.load.ServeCommand;
import dev.tokenauthority.bench.micro.JmhCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The benchmark harness: {@code jmh}, {@code load}, {@code rest}, and {@code serve} (the server the others spawn). */
@Command(name = "token-authority-bench", mixinStandardHelpOptions = true,
    description = "Benchmarks of Token Authority: microbenchmarks and end-to-end load. bench/run runs them all.",
    subcommands = {JmhCommand.class, LoadCommand.class, RestCommand.class, ServeCommand.class})
public final class BenchMain {

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }
}
