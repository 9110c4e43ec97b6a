package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.gson.JsonParser;
import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "TLS and mutual TLS" commands work as written: the openssl block makes
 * certificates a {@code --tls-client-auth require} server accepts, and the service certificate
 * it makes calls that server over gRPC (the Java client) and over HTTPS (the README's curl
 * line; only the port changes). Without openssl or curl the test is skipped, unless
 * TA_REQUIRE_TOOLS=1 (CI), which makes it fail.
 */
class ReadmeTlsTest {
  @TempDir Path workDir;

  @Test
  void theReadmesOpensslBlockMakesCertificatesTheServerAndItsCallersAccept() throws Exception {
    requireTools("openssl", "curl");
    String section = section();
    String opensslBlock = block(section, "mkdir -p certs");
    run(opensslBlock, Duration.ofSeconds(60));
    Path certs = workDir.resolve("certs");
    for (String name : new String[] {"ca", "server", "billing", "envoy", "edge"}) {
      assertThat(certs.resolve(name + ".pem")).isRegularFile();
      assertThat(certs.resolve(name + "-key.pem")).isRegularFile();
    }

    TokenAuthorityServer server = new TokenAuthorityServer(TestStores.config(workDir.resolve("data"))
        .withGrpcPort(0).withHttpPort(ServerConfig.ANY_FREE_PORT).withMetricsPort(0)
        .withTls(certs.resolve("server.pem"), certs.resolve("server-key.pem"))
        .withTlsClientAuth(ServerConfig.TlsClientAuth.REQUIRE, certs.resolve("ca.pem")), Clock.systemUTC())
        .start(Main.grpcServerBuilder(0));
    ManagedChannel channel = TokenAuthorityClient.tlsChannelBuilder("localhost:" + server.port(),
        certs.resolve("ca.pem"), certs.resolve("billing.pem"), certs.resolve("billing-key.pem")).build();
    try {
      String admin = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
      TokenAuthorityClient billing = new TokenAuthorityClient(channel, Credentials.bearer(admin));
      billing.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("from-billing")
          .addScopes("tokens:read").build());

      String callBlock = block(section, "TOKEN=$(cat data/bootstrap-token)\ncurl -s --cacert");
      String curl = callBlock.substring(0, callBlock.indexOf("TA_TLS_CA=")); // bin/ta needs the packaged jar
      assertThat(curl).contains("localhost:8080");
      String output = run(curl.replace("localhost:8080", "localhost:" + server.httpPort()), Duration.ofSeconds(30));
      var events = JsonParser.parseString(output).getAsJsonObject().getAsJsonArray("auditEvents");
      assertThat(events.toString()).contains("token.mint")
          .contains("cert_subject=\\\"CN=billing,O=Example\\\"").contains("cert_uri=spiffe://example.org/billing");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.stop();
    }
  }

  private String run(String script, Duration timeout) throws Exception {
    Process process = new ProcessBuilder("bash", "-ec", script).directory(workDir.toFile()).start();
    process.getOutputStream().close();
    byte[] stdout = process.getInputStream().readAllBytes();
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("the README block did not finish within " + timeout);
    }
    String out = new String(stdout, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(script + "\n" + out + "\n" + stderr).isZero();
    return out;
  }

  private static String section() throws Exception {
    String readme = Files.readString(Path.of("").toAbsolutePath().getParent().resolve("README.md"));
    int start = readme.indexOf("\n## TLS and mutual TLS\n");
    assertThat(start).as("the README has a TLS and mutual TLS section").isPositive();
    int end = readme.indexOf("\n## ", start + 5);
    return readme.substring(start, end < 0 ? readme.length() : end);
  }

  /** The ```sh block of {@code section} that starts with {@code opening}. */
  private static String block(String section, String opening) {
    Matcher blocks = Pattern.compile("```sh\n(" + Pattern.quote(opening) + ".*?)```", Pattern.DOTALL).matcher(section);
    if (!blocks.find()) {
      fail("no ```sh block starting with " + opening);
    }
    return blocks.group(1);
  }

  private static void requireTools(String... tools) throws Exception {
    for (String tool : tools) {
      Process which = new ProcessBuilder("bash", "-c", "command -v " + tool).start();
      boolean present = which.waitFor() == 0;
      if (!present && "1".equals(System.getenv("TA_REQUIRE_TOOLS"))) {
        fail(tool + " is required (TA_REQUIRE_TOOLS=1) but not installed");
      }
      Assumptions.assumeTrue(present, tool + " is not installed: README TLS test skipped");
    }
  }
}
