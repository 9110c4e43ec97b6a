package dev.tokenauthority.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.server.Main;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.testing.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ta} against a server that serves TLS and requires client certificates (mutual TLS). */
class CliTlsTest {
  @TempDir static Path dir;
  static TokenAuthorityServer server;
  static TestCertificates ca;
  static TestCertificates.Issued client;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    ca = TestCertificates.newCa("cli", dir.resolve("certs"));
    TestCertificates.Issued serverCert = ca.server("server");
    client = ca.client("ta-cli", "spiffe://example.org/ta");
    server = new TokenAuthorityServer(ServerConfig.defaults(dir.resolve("data")).withGrpcPort(0).withHttpPort(0)
        .withMetricsPort(0).withTls(serverCert.certFile(), serverCert.keyFile())
        .withTlsClientAuth(ServerConfig.TlsClientAuth.REQUIRE, ca.caFile()), Clock.systemUTC())
        .start(Main.grpcServerBuilder(0));
    admin = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
  }

  private static Map<String, String> env(String... more) {
    Map<String, String> env = new HashMap<>(Map.of("TA_ADDR", "localhost:" + server.port(), "TA_TOKEN", admin));
    for (int i = 0; i < more.length; i += 2) {
      env.put(more[i], more[i + 1]);
    }
    return env;
  }

  @Test
  void flagsGiveTheCaAndTheClientCertificate() {
    Ta ta = Ta.run(env(), "--tls-ca", ca.caFile().toString(), "--tls-cert", client.certFile().toString(),
        "--tls-key", client.keyFile().toString(), "workspace-token", "create", "--name", "over-mtls", "--scope", "tokens:read");
    assertThat(ta.code()).as(ta.toString()).isZero();
    assertThat(ta.out()).contains("over-mtls");
    assertThat(ta.all()).doesNotContain(admin);
  }

  @Test
  void theEnvironmentGivesThemToo() {
    Ta ta = Ta.run(env("TA_TLS_CA", ca.caFile().toString(), "TA_TLS_CERT", client.certFile().toString(),
        "TA_TLS_KEY", client.keyFile().toString()), "workspace-token", "list");
    assertThat(ta.code()).as(ta.toString()).isZero();
    assertThat(ta.out()).startsWith("ID");
  }

  @Test
  void withoutAClientCertificateOrWithoutTlsTheServerIsUnavailable() {
    Ta noCertificate = Ta.run(env(), "--tls-ca", ca.caFile().toString(), "--deadline", "5s", "keys", "jwks");
    assertThat(noCertificate.code()).as(noCertificate.toString()).isEqualTo(ExitCodes.SERVER);
    Ta plaintext = Ta.run(env(), "--deadline", "5s", "keys", "jwks");
    assertThat(plaintext.code()).as(plaintext.toString()).isEqualTo(ExitCodes.SERVER);
  }

  @Test
  void aCertificateWithoutItsKeyOrAMissingFileIsAUsageError() {
    Ta noKey = Ta.run(env(), "--tls-ca", ca.caFile().toString(), "--tls-cert", client.certFile().toString(),
        "workspace-token", "list");
    assertThat(noKey.code()).as(noKey.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(noKey.err()).contains("--tls-cert and --tls-key go together");
    Path missing = dir.resolve("missing-ca.pem");
    Ta missingCa = Ta.run(env("TA_TLS_CA", missing.toString()), "workspace-token", "list");
    assertThat(missingCa.code()).as(missingCa.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(missingCa.err()).contains("cannot read " + missing);
  }
}
