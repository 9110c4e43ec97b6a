package dev.tokenauthority.envoy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the envoy module and the repository root are, seen from a test's working directory. */
final class RepoPaths {
  private RepoPaths() {}

  /** The envoy/ module directory (Surefire runs tests there; an IDE may run them from the root). */
  static Path moduleDir() {
    Path cwd = Path.of("").toAbsolutePath().normalize();
    for (Path dir = cwd; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("envoy.yaml")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
      if (Files.isRegularFile(dir.resolve("envoy/envoy.yaml"))) {
        return dir.resolve("envoy");
      }
    }
    throw new IllegalStateException("no envoy/envoy.yaml at or above " + cwd);
  }

  /** The repository root: where Envoy is started from, so envoy.yaml's relative paths start here. */
  static Path repoRoot() {
    return moduleDir().getParent();
  }
}
