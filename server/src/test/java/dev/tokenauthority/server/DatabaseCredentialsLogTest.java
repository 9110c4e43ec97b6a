package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tokenauthority.server.testing.TestStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Database credentials, given in the environment (TA_DB_PASSWORD) or inside the JDBC URL,
 * never reach the log: the server started as `java -jar` would be logs its store URL with the
 * password masked.
 */
class DatabaseCredentialsLogTest {
  private static final String ENV_PASSWORD = "env-canary-7f3a";
  private static final String URL_PASSWORD = "url-canary-91c2";

  @TempDir Path workDir;

  @Test
  void neitherTheEnvironmentsNorTheUrlsPasswordIsLogged() throws Exception {
    Path dataDir = workDir.resolve("data");
    // PostgreSQL here trusts local connections, so any password works; an H2 store is
    // created with the one from the environment (a second one in its URL would be refused).
    String url = TestStores.postgres() ? TestStores.url(dataDir) + "&password=" + URL_PASSWORD : TestStores.url(dataDir);
    Path log = workDir.resolve("server.log");
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "--grpc-port", "0", "--http-port", "0", "--data-dir", dataDir.toString(), "--db-url", url)
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("TA_DB_USER", "sa");
    builder.environment().put("TA_DB_PASSWORD", ENV_PASSWORD);
    Process server = builder.start();
    try {
      String text = awaitLine(log, server, "listening");
      if (TestStores.postgres()) {
        assertThat(text).contains("password=***"); // the URL is logged, masked
      }
      assertThat(text).doesNotContain(ENV_PASSWORD).doesNotContain(URL_PASSWORD);
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(Files.readString(log, StandardCharsets.UTF_8)).doesNotContain(ENV_PASSWORD).doesNotContain(URL_PASSWORD);
  }

  private static String awaitLine(Path log, Process server, String marker) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      if (text.contains(marker)) {
        return text;
      }
      if (!server.isAlive()) {
        fail("the server exited with " + server.exitValue() + ":\n" + text);
      }
      Thread.sleep(100);
    }
    return fail("the server logged no '" + marker + "' line within 60 s");
  }
}
