package dev.tokenauthority.bench.load;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** REST load through the embedded gateway with wrk (Debian package {@code wrk}), HTTP/1.1 like the Keycloak figure. */
final class Wrk {
  private static final String RESULT_LINE = "WRK-RESULT ";

  /**
   * One REST operation: a wrk script (a resource under wrk/) and the gRPC operation it
   * mirrors, for the ratio.
   */
  record RestOperation(String name, String description, String script, String grpcTwin) {}

  static final List<RestOperation> OPERATIONS = List.of(
      new RestOperation("post_tokens", "POST /tokens (CreateWorkspaceToken), JSON body, bearer token",
          "post_tokens.lua", Operations.MINT_WORKSPACE),
      new RestOperation("introspect", "POST /v1/tokens:introspect (IntrospectToken) of an opaque token, JSON body, "
          + "bearer token", "introspect.lua", Operations.INTROSPECT_OPAQUE));

  /** What wrk's done() reported. Latencies in microseconds; {@code command} as the results file shows it. */
  record Result(RestOperation operation, String command, long requests, double seconds, long statusErrors,
      long socketErrors, long p50Micros, long p99Micros, long p999Micros, long maxMicros) {

    double requestsPerSecond() {
      return (requests - statusErrors) / seconds;
    }
  }

  private final Path scratch;
  private final Path tokenFile;
  private final String url;
  private final int threads;
  private final int connections;

  /** Writes the token a script sends to a 0600 file in {@code scratch}: printed commands read it, never show it. */
  Wrk(Path scratch, String token, String host, int port, int threads, int connections) throws IOException {
    this.scratch = scratch;
    this.tokenFile = scratch.resolve("bench-token");
    Files.deleteIfExists(tokenFile);
    Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tokenFile, token);
    this.url = "http://" + host + ":" + port;
    this.threads = threads;
    this.connections = connections;
  }

  /** The wrk executable on the PATH, if any. */
  static Optional<Path> executable() {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, "wrk"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** The shell command line of a run ({@code run} names it: request names must not repeat). */
  String commandLine(RestOperation operation, String run, Duration duration) throws IOException {
    return "TA_TOKEN=\"$(cat " + tokenFile + ")\" TA_RUN=" + run + " " + String.join(" ", arguments(operation, duration));
  }

  Result run(Path wrk, RestOperation operation, String run, Duration duration) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(arguments(operation, duration));
    command.set(0, wrk.toString());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("TA_TOKEN", Files.readString(tokenFile));
    builder.environment().put("TA_RUN", run);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = process.waitFor();
    output.lines().filter(l -> !l.startsWith(RESULT_LINE)).forEach(l -> System.out.println("  " + l));
    String line = output.lines().filter(l -> l.startsWith(RESULT_LINE)).findFirst()
        .orElseThrow(() -> new IOException("wrk exited " + exit + " without a result line:\n" + output));
    Map<String, Long> values = new HashMap<>();
    for (String pair : line.substring(RESULT_LINE.length()).trim().split(" ")) {
      String[] keyValue = pair.split("=", 2);
      values.put(keyValue[0], Long.parseLong(keyValue[1]));
    }
    String shown = "TA_TOKEN=<a token with tokens:write> TA_RUN=<unique per run> "
        + String.join(" ", arguments(operation, duration)).replace(scratch.toString(), "bench/src/main/resources/wrk")
            .replace(url, "http://127.0.0.1:<gateway port>");
    return new Result(operation, shown, values.get("requests"),
        values.get("duration_us") / 1e6, values.get("status_errors"), values.get("socket_errors"),
        values.get("p50_us"), values.get("p99_us"), values.get("p999_us"), values.get("max_us"));
  }

  private List<String> arguments(RestOperation operation, Duration duration) throws IOException {
    return List.of("wrk", "-t" + threads, "-c" + connections, "-d" + duration.toSeconds() + "s", "--timeout", "10s",
        "-s", script(operation).toString(), url);
  }

  /** The operation's script, copied out of the jar into the scratch directory. */
  private Path script(RestOperation operation) throws IOException {
    Path file = scratch.resolve(operation.script());
    if (!Files.exists(file)) {
      try (InputStream in = Wrk.class.getResourceAsStream("/wrk/" + operation.script())) {
        Files.copy(in, file);
      }
    }
    return file;
  }
}
