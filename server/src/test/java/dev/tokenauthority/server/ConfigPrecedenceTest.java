package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * One precedence order for every setting: command-line flag, then the TA_* environment
 * variable, then the config file, then the built-in default; a broken config file is a usage
 * error naming what is wrong; --help lists every option with its default and its variable.
 */
class ConfigPrecedenceTest {
  @TempDir Path dir;

  private Main parse(Map<String, String> env, String... args) {
    Main main = new Main(env);
    new CommandLine(main).parseArgs(args);
    return main;
  }

  private Path configFile(String... lines) throws Exception {
    return Files.write(dir.resolve("ta.properties"), List.of(lines), StandardCharsets.UTF_8);
  }

  @Test
  void theConfigFileSetsWhatNeitherAFlagNorTheEnvironmentSets() throws Exception {
    Path file = configFile("grpc-port=6001", "db-pool-size = 7", "log-level=warn", "db-password=file-secret",
        "cors-origins=https://a.example,https://b.example");
    Main main = parse(Map.of(), "--config", file.toString());
    assertThat(main.grpcPort).isEqualTo(6001);
    assertThat(main.dbPoolSize).isEqualTo(7);
    assertThat(main.logLevel).isEqualTo(Logs.LogLevel.WARN);
    assertThat(main.dbPassword).isEqualTo("file-secret");
    assertThat(main.corsOrigins).containsExactly("https://a.example", "https://b.example");
    assertThat(main.httpPort).as("not in the file: the default").isEqualTo(8080);
  }

  @Test
  void theEnvironmentBeatsTheFileAndAFlagBeatsTheEnvironment() throws Exception {
    Path file = configFile("grpc-port=6001", "http-port=6002", "db-pool-size=7");
    Map<String, String> env = Map.of("TA_GRPC_PORT", "7001", "TA_HTTP_PORT", "7002");
    Main main = parse(env, "--config", file.toString(), "--grpc-port", "8001");
    assertThat(main.grpcPort).as("flag over environment over file").isEqualTo(8001);
    assertThat(main.httpPort).as("environment over file").isEqualTo(7002);
    assertThat(main.dbPoolSize).as("file over default").isEqualTo(7);
  }

  @Test
  void taConfigNamesTheFileToo() throws Exception {
    Path file = configFile("grpc-port=6001");
    assertThat(parse(Map.of("TA_CONFIG", file.toString())).grpcPort).isEqualTo(6001);
    assertThat(parse(Map.of()).grpcPort).as("no file: the default").isEqualTo(50051);
  }

  @Test
  @Timeout(60)
  void anUnknownKeyIsAUsageErrorNamingIt() throws Exception {
    Path file = configFile("grpc-port=6001", "grcp-port=6002");
    Path dataDir = Files.createDirectory(dir.resolve("data"));
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new Main(Map.of())).setErr(new PrintWriter(err)).execute("--config", file.toString(),
        "--data-dir", dataDir.toString(), "--grpc-port", "0", "--http-port", "0");
    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("'grcp-port'").contains(file.toString()).doesNotContain("'grpc-port'");
    assertThat(dataDir).isEmptyDirectory(); // nothing started
  }

  @Test
  @Timeout(60)
  void aMissingConfigFileIsAUsageError() {
    Path dataDir = dir.resolve("data");
    StringWriter err = new StringWriter();
    Path missing = dir.resolve("nope.properties");
    int exit = new CommandLine(new Main(Map.of("TA_CONFIG", missing.toString()))).setErr(new PrintWriter(err))
        .execute("--data-dir", dataDir.toString(), "--grpc-port", "0", "--http-port", "0");
    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("cannot read the config file " + missing);
    assertThat(dataDir).doesNotExist();
  }

  @Test
  void aBadValueInTheFileIsAUsageErrorLikeABadFlag() throws Exception {
    Path file = configFile("log-level=LOUD");
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new Main(Map.of())).setErr(new PrintWriter(err)).execute("--config", file.toString());
    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--log-level").contains("'LOUD' is not a log level");
  }

  @Test
  void anInvalidLogLevelOrFormatIsAUsageError() {
    for (String[] args : List.of(new String[] {"--log-level", "LOUD"}, new String[] {"--log-format", "xml"})) {
      StringWriter err = new StringWriter();
      int exit = new CommandLine(new Main(Map.of())).setErr(new PrintWriter(err)).execute(args);
      assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
      assertThat(err.toString()).contains(args[0]).contains("'" + args[1] + "'");
    }
    assertThat(parse(Map.of("TA_LOG_FORMAT", "JSON")).logFormat).isEqualTo(Logs.Format.JSON);
    assertThat(parse(Map.of()).logLevel).isEqualTo(Logs.LogLevel.INFO);
  }

  @Test
  void helpListsEveryOptionWithItsDefaultAndItsVariable() {
    StringWriter out = new StringWriter();
    CommandLine commandLine = new CommandLine(new Main(Map.of()));
    int exit = commandLine.setOut(new PrintWriter(out)).execute("--help");
    assertThat(exit).isZero();
    String help = out.toString();
    // help wraps long lines anywhere: compare without any whitespace
    String compact = help.replaceAll("\\s+", "");
    List<OptionSpec> options = commandLine.getCommandSpec().options();
    assertThat(options).hasSizeGreaterThan(20);
    for (OptionSpec option : options) {
      assertThat(help).contains(option.longestName());
      if (!ConfigDefaults.configurable(option) && !option.longestName().equals(ConfigDefaults.CONFIG_OPTION)) {
        continue; // --help, --version
      }
      String description = String.join(" ", option.description());
      assertThat(description).as(option.longestName()).contains("env " + ConfigDefaults.envName(option))
          .containsIgnoringCase("default");
      assertThat(compact).contains("env" + ConfigDefaults.envName(option));
      String defaultValue = option.defaultValueString(true); // "null" when there is none (String.valueOf)
      if (defaultValue != null && !defaultValue.equals("null")) {
        assertThat(compact).as(option.longestName()).contains(("default " + defaultValue).replaceAll("\\s+", ""));
      }
    }
    assertThat(compact).contains("Precedence:command-lineflag,thenenvironment,thenconfigfile,thenthedefault");
  }

  @Test
  @Timeout(120)
  void logLevelWarnSilencesTheInfoLines() throws Exception {
    Path dataDir = dir.resolve("data");
    Path log = dir.resolve("server.log");
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "--grpc-port", String.valueOf(port), "--http-port", "0", "--data-dir", dataDir.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = new HashMap<>(Map.of("TA_LOG_LEVEL", "WARN"));
    builder.environment().keySet().removeIf(name -> name.startsWith("TA_"));
    builder.environment().putAll(env);
    Process server = builder.start();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (true) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
          break; // listening: the bootstrap and "listening" INFO lines would be out by now
        } catch (java.io.IOException notYet) {
          if (!server.isAlive()) {
            fail("the server exited with " + server.exitValue() + ":\n" + Files.readString(log));
          }
          if (System.nanoTime() > deadline) {
            fail("the server did not listen within 60 s:\n" + Files.readString(log));
          }
          Thread.sleep(100);
        }
      }
      Thread.sleep(500);
      assertThat(dataDir.resolve("bootstrap-token")).exists(); // it bootstrapped, which logs at INFO
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
    String text = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("Bootstrapped tenant").doesNotContain("listening").doesNotContain(" INFO ");
  }
}
