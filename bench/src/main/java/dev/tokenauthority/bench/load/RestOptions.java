package dev.tokenauthority.bench.load;

import picocli.CommandLine.Option;

/** wrk's load shape; shared by {@code load} and {@code rest}. */
final class RestOptions {
  @Option(names = "--wrk-threads", defaultValue = "2", description = "wrk threads (default ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--wrk-connections", defaultValue = "32",
      description = "wrk HTTP/1.1 connections (default ${DEFAULT-VALUE}, as the Keycloak figure).")
  int connections;
}
