package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.tokenauthority.server.testing.LogCapture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The command line refuses a bad setting as a usage error, before anything starts; a
 * database it cannot reach is one line and exit code 1, not a stack trace.
 */
class MainTest {
  @TempDir Path dataDir;

  @Test
  @Timeout(60) // were the target accepted, the server would start and block: fail instead of hanging
  void aShareLinkTargetWithoutThePlaceholderIsAUsageError() {
    int exit = new CommandLine(new Main()).execute("--data-dir", dataDir.toString(), "--grpc-port", "0",
        "--http-port", "0", "--share-link-target", "https://dashboard.example.com/faults");
    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(dataDir).isEmptyDirectory(); // no store, key or bootstrap token: nothing started
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "0", "-3"})
  @Timeout(60)
  void aPoolOfFewerThanTwoConnectionsIsAUsageError(String size) {
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new Main()).setErr(new PrintWriter(err)).execute("--data-dir", dataDir.toString(),
        "--grpc-port", "0", "--http-port", "0", "--db-pool-size", size);
    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--db-pool-size must be 2 or more");
    assertThat(dataDir).isEmptyDirectory();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1"})
  @Timeout(60)
  void fewerThanOneFailedAuthenticationPerMinuteIsAUsageError(String perMinute) {
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new Main()).setErr(new PrintWriter(err)).execute("--data-dir", dataDir.toString(),
        "--grpc-port", "0", "--http-port", "0", "--auth-failures-per-minute", perMinute);
    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--auth-failures-per-minute must be 1 or more");
    assertThat(dataDir).isEmptyDirectory();
  }

  @ParameterizedTest
  @ValueSource(strings = {"100ms", "31s", "never"})
  @Timeout(60)
  void aConnectTimeoutOutsideItsRangeIsAUsageError(String timeout) {
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new Main()).setErr(new PrintWriter(err)).execute("--data-dir", dataDir.toString(),
        "--grpc-port", "0", "--http-port", "0", "--db-connect-timeout", timeout);
    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--db-connect-timeout").containsPattern("250ms to 30s|500ms or 2s");
    assertThat(dataDir).isEmptyDirectory();
  }

  @Test
  @Timeout(60)
  void aNegativeCallCapOrQueueIsAUsageError() {
    for (String flag : new String[] {"--max-concurrent-calls", "--max-queued-calls"}) {
      StringWriter err = new StringWriter();
      int exit = new CommandLine(new Main()).setErr(new java.io.PrintWriter(err)).execute("--data-dir",
          dataDir.toString(), "--grpc-port", "0", "--http-port", "0", flag, "-1");
      assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
      assertThat(err.toString()).contains(flag);
      assertThat(dataDir).isEmptyDirectory();
    }
  }

  @Test
  @Timeout(60)
  void aNegativeLookupCacheSizeIsAUsageError() {
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new Main()).setErr(new PrintWriter(err)).execute("--data-dir", dataDir.toString(),
        "--grpc-port", "0", "--http-port", "0", "--lookup-cache-entries", "-1");
    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--lookup-cache-entries must be 0 or more");
    assertThat(dataDir).isEmptyDirectory();
  }

  @Test
  @Timeout(60)
  void aDatabaseThatCannotBeReachedIsOneLineAndExitCodeOne() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    LogCapture capture = LogCapture.root(null);
    long started = System.nanoTime();
    int exit;
    try {
      exit = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(
          "--data-dir", dataDir.toString(), "--grpc-port", "0", "--http-port", "0",
          "--db-url", "jdbc:postgresql://127.0.0.1:1/x?user=ta&password=hunter2", "--db-connect-timeout", "500ms");
    } finally {
      capture.close();
    }
    List<ILoggingEvent> logged = capture.events();
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.println("Startup with the database down: exit " + exit + " after " + millis + " ms: " + err);
    assertThat(exit).isEqualTo(1);
    assertThat(err.toString().lines().toList()).singleElement().asString()
        .startsWith("token-authority: cannot reach the database at jdbc:postgresql://127.0.0.1:1/x?user=ta&password=***")
        .contains("Connection").doesNotContain("hunter2").doesNotContain("Exception");
    assertThat(out.toString()).isEmpty();
    // nothing logged a stack trace on the way (Hikari, Flyway or ours), and no secret
    assertThat(logged).allSatisfy(r -> {
      assertThat(r.getThrowableProxy()).as("stack trace logged by %s: %s", r.getLoggerName(), r.getFormattedMessage())
          .isNull();
      assertThat(String.valueOf(r.getFormattedMessage())).doesNotContain("hunter2");
    });
    assertThat(millis).isLessThan(10_000);
  }
}
