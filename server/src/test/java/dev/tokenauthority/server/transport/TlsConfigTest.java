package dev.tokenauthority.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenauthority.server.Main;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.testing.TestCertificates;
import dev.tokenauthority.server.testing.TestCertificates.Issued;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Bad TLS settings and files are usage errors: exit code 2, one line naming the flag and the
 * problem, no stack trace, and nothing started (the data dir is not even created).
 */
class TlsConfigTest {
  @TempDir static Path certs;
  @TempDir Path dir;
  static TestCertificates ca;
  static Issued server;
  static Issued other;
  static Issued expired;

  @BeforeAll
  static void certificates() {
    ca = TestCertificates.newCa("config", certs);
    server = ca.server("server");
    other = ca.server("other");
    expired = ca.expiredServer("expired");
  }

  /** Runs the server's command line with {@code tls} (and {@code env}); returns exit code and stderr. */
  private Result run(Map<String, String> env, String... tls) {
    List<String> args = new ArrayList<>(List.of("--data-dir", dir.resolve("data").toString(), "--grpc-port", "0",
        "--http-port", "0", "--metrics-port", "0"));
    args.addAll(List.of(tls));
    StringWriter err = new StringWriter();
    int exit = new CommandLine(newMain(env)).setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
        .execute(args.toArray(String[]::new));
    return new Result(exit, err.toString());
  }

  private static Main newMain(Map<String, String> env) {
    try {
      var constructor = Main.class.getDeclaredConstructor(Map.class);
      constructor.setAccessible(true);
      return constructor.newInstance(env);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private record Result(int exit, String err) {}

  private void assertUsageError(Result result, String... fragments) {
    assertThat(result.exit()).as(result.err()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(result.err().lines().toList()).as("one line").singleElement().asString()
        .startsWith("token-authority: ").contains(fragments).doesNotContain("Exception", "\tat ");
    assertThat(dir.resolve("data")).as("nothing started").doesNotExist();
  }

  @Test
  void certificateAndKeyGoTogether() {
    assertUsageError(run(Map.of(), "--tls-cert", server.certFile().toString()), "--tls-cert and --tls-key go together");
    assertUsageError(run(Map.of(), "--tls-key", server.keyFile().toString()), "--tls-cert and --tls-key go together");
  }

  @Test
  void aMissingOrUnreadableFileIsNamed() throws Exception {
    Path missing = dir.resolve("nope.pem");
    assertUsageError(run(Map.of(), "--tls-cert", missing.toString(), "--tls-key", server.keyFile().toString()),
        "--tls-cert " + missing, "no such file");
    assertUsageError(run(Map.of(), "--tls-cert", server.certFile().toString(), "--tls-key", missing.toString()),
        "--tls-key " + missing, "no such file");
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n", StandardCharsets.US_ASCII);
    assertUsageError(run(Map.of(), "--tls-cert", garbage.toString(), "--tls-key", server.keyFile().toString()),
        "--tls-cert " + garbage, "no PEM certificate");
    assertUsageError(run(Map.of(), "--tls-cert", server.certFile().toString(), "--tls-key", garbage.toString()),
        "--tls-key " + garbage, "no PEM private key");
    // the key file given as the certificate: a PEM file, but no certificate in it
    assertUsageError(run(Map.of(), "--tls-cert", server.keyFile().toString(), "--tls-key", server.keyFile().toString()),
        "no PEM certificate");
    Path directory = Files.createDirectory(dir.resolve("a-directory"));
    assertUsageError(run(Map.of(), "--tls-cert", directory.toString(), "--tls-key", server.keyFile().toString()),
        "--tls-cert " + directory, "cannot be read");
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() {
    assertUsageError(run(Map.of(), "--tls-cert", server.certFile().toString(), "--tls-key", other.keyFile().toString()),
        "--tls-key " + other.keyFile(), "is not the private key of the certificate", "CN=localhost");
  }

  @Test
  void anExpiredCertificateIsRefused() {
    assertUsageError(run(Map.of(), "--tls-cert", expired.certFile().toString(), "--tls-key", expired.keyFile().toString()),
        "--tls-cert " + expired.certFile(), "expired at");
  }

  @Test
  void clientAuthNeedsAClientCaAndTls() {
    String[] tls = {"--tls-cert", server.certFile().toString(), "--tls-key", server.keyFile().toString()};
    assertUsageError(run(Map.of(), concat(tls, "--tls-client-auth", "require")), "--tls-client-auth require needs --tls-client-ca");
    assertUsageError(run(Map.of("TA_TLS_CLIENT_AUTH", "optional"), tls), "--tls-client-auth optional needs --tls-client-ca");
    assertUsageError(run(Map.of(), "--tls-client-ca", ca.caFile().toString(), "--tls-client-auth", "require"),
        "need TLS");
    Path missing = dir.resolve("no-ca.pem");
    assertUsageError(run(Map.of(), concat(tls, "--tls-client-auth", "require", "--tls-client-ca", missing.toString())),
        "--tls-client-ca " + missing, "no such file");
    Result bogus = run(Map.of(), concat(tls, "--tls-client-auth", "sometimes"));
    assertThat(bogus.exit()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(bogus.err()).contains("'sometimes' is not a client-auth mode: use none, optional or require");
  }

  @Test
  void serverConfigRefusesTheSameCombinations() {
    ServerConfig config = ServerConfig.defaults(dir);
    assertThat(config.tlsEnabled()).isFalse();
    assertThat(config.tlsClientAuth()).isEqualTo(ServerConfig.TlsClientAuth.NONE);
    assertThatThrownBy(() -> config.withTls(server.certFile(), null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("go together");
    assertThatThrownBy(() -> config.withTlsClientAuth(ServerConfig.TlsClientAuth.OPTIONAL, ca.caFile()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need TLS");
    ServerConfig tls = config.withTls(server.certFile(), server.keyFile());
    assertThat(tls.tlsEnabled()).isTrue();
    assertThatThrownBy(() -> tls.withTlsClientAuth(ServerConfig.TlsClientAuth.REQUIRE, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs --tls-client-ca");
    assertThat(tls.withTlsClientAuth(ServerConfig.TlsClientAuth.REQUIRE, ca.caFile()).tlsClientCa()).isEqualTo(ca.caFile());
    assertThat(ServerConfig.TlsClientAuth.parse(" Require ")).isEqualTo(ServerConfig.TlsClientAuth.REQUIRE);
  }

  @Test
  void theEnvironmentSetsTheFilesToo() {
    assertUsageError(run(Map.of("TA_TLS_CERT", server.certFile().toString(), "TA_TLS_KEY", other.keyFile().toString())),
        "is not the private key of the certificate");
  }

  private static String[] concat(String[] first, String... rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
  }
}
