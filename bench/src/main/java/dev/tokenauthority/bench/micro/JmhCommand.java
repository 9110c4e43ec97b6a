package dev.tokenauthority.bench.micro;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runs the JMH benchmarks of this module with JMH's own options and writes their table as Markdown. */
@Command(name = "jmh", mixinStandardHelpOptions = true,
    description = "Runs the microbenchmarks. Everything after -- is passed to JMH (e.g. -- -f 1 -wi 2 -i 3 -t 2 Secrets).")
public final class JmhCommand implements Callable<Integer> {

  @Option(names = "--markdown", description = "Also write the results as a Markdown table to this file.")
  Path markdown;

  @Parameters(arity = "0..*", description = "JMH options and benchmark regexps.")
  List<String> jmhArgs = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Collection<RunResult> results = new Runner(new CommandLineOptions(jmhArgs.toArray(String[]::new))).run();
    if (markdown != null) {
      Files.writeString(markdown, table(results));
    }
    return 0;
  }

  private String table(Collection<RunResult> results) {
    StringBuilder out = new StringBuilder()
        .append("JMH options: `").append(String.join(" ", jmhArgs)).append("`\n\n")
        .append("| benchmark | params | threads | score | ± (99.9%) | unit |\n")
        .append("|---|---|---:|---:|---:|---|\n");
    for (RunResult run : results) {
      var params = run.getParams();
      Result<?> primary = run.getPrimaryResult();
      String benchmark = params.getBenchmark().replace("dev.tokenauthority.bench.micro.", "");
      String paramText = params.getParamsKeys().stream()
          .map(key -> key + "=" + params.getParam(key)).collect(Collectors.joining(", "));
      out.append(String.format(Locale.ROOT, "| %s | %s | %d | %,.0f | %,.0f | %s |%n", benchmark,
          paramText.isEmpty() ? "" : paramText, params.getThreads(), primary.getScore(),
          Double.isNaN(primary.getScoreError()) ? 0 : primary.getScoreError(), primary.getScoreUnit()));
    }
    return out.toString();
  }
}
