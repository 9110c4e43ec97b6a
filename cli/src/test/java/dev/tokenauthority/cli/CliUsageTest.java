package dev.tokenauthority.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What needs no server: help everywhere, usage errors, a missing credential, a server that is not there. */
class CliUsageTest {
  private static List<List<String>> everyCommandPath() {
    TaCommand root = new TaCommand(Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false);
    List<List<String>> paths = new ArrayList<>();
    collect(TaCommand.commandLine(root), new ArrayList<>(), paths);
    return paths;
  }

  private static void collect(CommandLine cl, List<String> path, List<List<String>> paths) {
    paths.add(List.copyOf(path));
    cl.getSubcommands().forEach((name, sub) -> {
      if (!name.equals(sub.getCommandName())) {
        return; // an alias: its command is visited under its own name
      }
      List<String> next = new ArrayList<>(path);
      next.add(name);
      collect(sub, next, paths);
    });
  }

  @Test
  void everyCommandHasHelp() {
    List<List<String>> paths = everyCommandPath();
    assertThat(paths).hasSizeGreaterThan(40);
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      Ta ta = Ta.run(Map.of(), args.toArray(String[]::new));
      assertThat(ta.code()).as("ta %s --help: %s", path, ta).isZero();
      assertThat(ta.out()).as("ta %s --help", path).startsWith("Usage: ta" + (path.isEmpty() ? "" : " " + String.join(" ", path)));
      assertThat(ta.err()).isEmpty();
    }
    assertThat(paths).contains(List.of("workspace-token", "create"), List.of("access-token", "update"),
        List.of("api-token", "revoke"), List.of("record-token", "get"), List.of("fault-token", "resolve"),
        List.of("introspect"), List.of("check-access"), List.of("revoke-created-by"), List.of("keys", "rotate"),
        List.of("directory", "tenant", "create"), List.of("directory", "module", "create"), List.of("audit", "list"),
        List.of("generate-completion"));
  }

  @Test
  void theRootHelpDocumentsEnvironmentAndExitCodes() {
    Ta ta = Ta.run(Map.of(), "--help");
    assertThat(ta.out()).contains("TA_ADDR", "TA_TOKEN", "Exit codes", "3  auth error", "5  server unreachable");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(Ta.run(Map.of(), "workspace-token", "list", "--bogus").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(Ta.run(Map.of(), "no-such-command").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(Ta.run(Map.of()).code()).isEqualTo(ExitCodes.USAGE);
    assertThat(Ta.run(Map.of(), "keys").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(Ta.run(Map.of(), "workspace-token", "create", "--name", "x").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(Ta.run(Map.of(), "--deadline", "soon", "keys", "list").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(Ta.run(Map.of(), "revoke-created-by", "--user", "u", "--token-id", "t").code()).isEqualTo(ExitCodes.USAGE);
    Ta ta = Ta.run(Map.of(), "workspace-token", "lst");
    assertThat(ta.err()).contains("Unmatched argument", "Did you mean", "list");
  }

  @Test
  void aUsageErrorNeverEchoesTheCredential() {
    Ta ta = Ta.run(Map.of(), "--token=ta_flag_secret_123", "--tokn=ta_flag_secret_123", "keys", "list");
    assertThat(ta.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(ta.all()).doesNotContain("ta_flag_secret_123").contains("****");
  }

  @Test
  void noCredentialExitsThreeWithAClearMessage() {
    Ta ta = Ta.run(Map.of("TA_ADDR", "127.0.0.1:1"), "workspace-token", "list");
    assertThat(ta.code()).as(ta.toString()).isEqualTo(ExitCodes.AUTH);
    assertThat(ta.err()).contains("no credential", "TA_TOKEN", "--token-file");
    assertThat(ta.out()).isEmpty();
  }

  @Test
  void anUnreadableTokenFileIsAUsageError() {
    Ta ta = Ta.run(Map.of(), "--token-file", "/nonexistent/ta-token", "workspace-token", "list");
    assertThat(ta.code()).as(ta.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(ta.err()).contains("cannot read --token-file");
  }

  @Test
  void aServerThatIsNotThereExitsFiveQuickly() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    long start = System.nanoTime();
    Ta ta = Ta.run(Map.of("TA_ADDR", "127.0.0.1:" + port, "TA_TOKEN", "ta_some_secret_value"),
        "--deadline", "2s", "workspace-token", "list");
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(ta.code()).as(ta.toString()).isEqualTo(ExitCodes.SERVER);
    assertThat(ta.err()).contains("UNAVAILABLE");
    assertThat(ta.all()).doesNotContain("ta_some_secret_value");
    assertThat(millis).isLessThan(8_000);
    // a create (not retried) fails as fast
    ta = Ta.run(Map.of("TA_ADDR", "127.0.0.1:" + port, "TA_TOKEN", "ta_some_secret_value"),
        "--deadline", "2s", "record-token", "create", "--record", "r");
    assertThat(ta.code()).as(ta.toString()).isEqualTo(ExitCodes.SERVER);
  }

  @Test
  void completionScriptIsGenerated() {
    Ta ta = Ta.run(Map.of(), "generate-completion");
    assertThat(ta.code()).isZero();
    assertThat(ta.out()).contains("complete -F", "workspace-token", "revoke-created-by");
  }
}
