package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line refuses a bad setting as a usage error, before anything starts. */
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
}
