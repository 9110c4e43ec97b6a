package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.gson.JsonParser;
import dev.tokenauthority.server.testing.TestStores;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's REST example block with bash and curl, as written, against a server
 * started the way the README starts it (data in ./data of the working directory). Only the
 * port is changed (8080 may be taken on a developer's machine), and curl is wrapped to print
 * each answer's status after its body. Without curl the test is skipped, unless
 * TA_REQUIRE_TOOLS=1 (CI), which makes it fail.
 */
class ReadmeCurlTest {
  @TempDir Path workDir;

  @Test
  void theReadmesCurlExamplesAnswerAsTheyClaim() throws Exception {
    requireCurl();
    String block = restExampleBlock();
    assertThat(block).contains("localhost:8080").contains("TOKEN=$(cat data/bootstrap-token)");
    TokenAuthorityServer server = new TokenAuthorityServer(
        TestStores.config(workDir.resolve("data")).withHttpPort(ServerConfig.ANY_FREE_PORT), Clock.systemUTC())
        .start(InProcessServerBuilder.forName(InProcessServerBuilder.generateName()));
    try {
      String script = "set -e\ncurl() { command curl -w '\\n%{http_code}\\n' \"$@\"; }\n"
          + block.replace("localhost:8080", "localhost:" + server.httpPort());
      Process process = new ProcessBuilder("bash", "-c", script).directory(workDir.toFile())
          .redirectErrorStream(true).start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("the README's curl block did not finish within 60 s");
      }
      String output = new String(process.getInputStream().readAllBytes());
      assertThat(process.exitValue()).as(output).isZero();

      List<Integer> statuses = new ArrayList<>();
      String[] lines = output.split("\n");
      for (int i = 1; i < lines.length; i += 2) {
        assertThat(JsonParser.parseString(lines[i - 1]).isJsonObject()).as(lines[i - 1]).isTrue();
        statuses.add(Integer.parseInt(lines[i].trim()));
      }
      // three directory objects, then seeds 000 to 004 as the comments in the block say
      assertThat(statuses).as(output).containsExactly(200, 200, 200, 201, 200, 201, 200, 201);
      assertThat(statuses).hasSize(countOf(block, "\ncurl "));
    } finally {
      server.stop();
    }
  }

  /** The sh block of the README's REST section that starts with TOKEN=. */
  static String restExampleBlock() throws Exception {
    String readme = Files.readString(Path.of("").toAbsolutePath().getParent().resolve("README.md"));
    Matcher blocks = Pattern.compile("```sh\n(TOKEN=.*?)```", Pattern.DOTALL).matcher(readme.substring(readme.indexOf("\n## REST")));
    if (!blocks.find()) {
      fail("the README's REST section has no ```sh block starting with TOKEN=");
    }
    return blocks.group(1);
  }

  private static int countOf(String text, String part) {
    return text.split(Pattern.quote(part), -1).length - 1;
  }

  private static void requireCurl() throws Exception {
    Process which = new ProcessBuilder("bash", "-c", "command -v curl").start();
    if (which.waitFor() != 0) {
      String missing = "curl is not on the PATH";
      if ("1".equals(System.getenv("TA_REQUIRE_TOOLS"))) {
        fail(missing + ", and TA_REQUIRE_TOOLS=1 requires the README curl test to run");
      }
      Assumptions.abort(missing + ": skipping the README curl test (set TA_REQUIRE_TOOLS=1 to fail instead)");
    }
  }
}
