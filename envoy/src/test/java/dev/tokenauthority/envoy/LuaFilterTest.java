package dev.tokenauthority.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Runs envoy/test/rest_edge_test.lua (the REST edge's Lua filter: statuses, JSON nulls and Altostrat error
 * bodies, against a stand-in for Envoy's handles) with luajit, and proves that script can fail.
 *
 * <p>Without luajit on the PATH these tests are skipped, so {@code mvn verify} passes on a
 * machine with only Java and Maven; with {@code TA_REQUIRE_TOOLS=1} (CI) they fail instead.
 */
class LuaFilterTest {
  static final String TEST_SCRIPT = "test/rest_edge_test.lua";
  static final String FILTER = "rest_edge.lua";

  @TempDir Path tmp;

  record Run(int exitCode, String output) {}

  @Test
  void theLuaFilterPassesItsTest() throws Exception {
    Run run = runLuaTest(luajit());
    assertThat(run.exitCode()).as("luajit %s exited non-zero:%n%s", TEST_SCRIPT, run.output()).isZero();
    assertThat(run.output()).contains("all passed").doesNotContain("FAIL");
  }

  /** Each mutation breaks one promise of the filter; the Lua test must catch every one. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "never removes the status header  | '  headers:remove(STATUS_HEADER)' | ''",
      "never removes the nulls header   | '  headers:remove(NULLS_HEADER)' | ''",
      "overrides error statuses         | '~= \"200\" then' | '~= \"200\" and false then'",
      "never sets the status            | '    headers:replace(\":status\", declared)' | ''",
      "never rewrites the body          | '  body:setBytes(json)' | ''",
      "keeps a stale content-length     | '  response_handle:headers():replace(\"content-length\", tostring(#json))' | ''",
      "never removes the error header   | '  headers:remove(ERROR_BODY_HEADER)' | ''",
      "ignores the server's error body  | 'local error_body = headers:get(ERROR_BODY_HEADER)' | 'local error_body = nil'",
      "forgets the Altostrat route      | 'dynamicMetadata():set(METADATA, \"altostrat\", true)' | 'dynamicMetadata()'",
      "gives errors a success status    | '(status == \"200\" or tonumber(declared) >= 400)' | 'true'",
      "defines no envoy_on_request      | 'function envoy_on_request(' | 'function on_request('",
      "mistakes strings for structure   | 'if c == ''\"'' then' | 'if false then'",
      "loses count in lists             | '        top.index = top.index + 1' | ''",
      "overwrites keys that are present | '          top.missing[top.key] = nil' | ''",
      "ignores the * wildcard           | 'if segments[k] ~= \"*\" and' | 'if'",
      "defines no envoy_on_response     | 'function envoy_on_response(' | 'function on_response('",
  })
  void theLuaTestFailsOnABrokenFilter(String what, String original, String replacement) throws Exception {
    Path luajit = luajit();
    String source = Files.readString(RepoPaths.moduleDir().resolve(FILTER));
    assertThat(source).as("the filter must contain what the mutation removes").contains(original);
    Path broken = tmp.resolve("rest_edge_broken.lua");
    Files.writeString(broken, source.replace(original, replacement));

    Run run = runLuaTest(luajit, broken.toString());
    assertThat(run.exitCode()).as("a filter that %s must fail the Lua test:%n%s", what, run.output()).isNotZero();
    assertThat(run.output()).contains("FAIL");
  }

  private Run runLuaTest(Path luajit, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(luajit.toString(), TEST_SCRIPT));
    command.addAll(List.of(args));
    Path output = Files.createTempFile(tmp, "luajit", ".out");
    Process process = new ProcessBuilder(command)
        .directory(RepoPaths.moduleDir().toFile())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("luajit %s did not finish within 30 s:%n%s", TEST_SCRIPT, Files.readString(output));
    }
    return new Run(process.exitValue(), Files.readString(output));
  }

  /** luajit from the PATH; skips the test without it, unless TA_REQUIRE_TOOLS=1 (then fails). */
  static Path luajit() {
    Optional<Path> found = onPath("luajit");
    if (found.isEmpty()) {
      String missing = "luajit is not on the PATH (Debian/Ubuntu: apt-get install luajit)";
      if ("1".equals(System.getenv("TA_REQUIRE_TOOLS"))) {
        fail(missing + ", and TA_REQUIRE_TOOLS=1 requires the Lua filter test to run");
      }
      Assumptions.abort(missing + ": skipping the Lua filter test (set TA_REQUIRE_TOOLS=1 to fail instead)");
    }
    return found.get();
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
