package dev.tokenauthority.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of a process, from Linux's /proc/<pid>/status. */
final class Rss {
  private Rss() {}

  /** The {@code field} (VmRSS, VmHWM) of {@code pid} in MiB, or -1 when unknown. */
  static long mib(Long pid, String field) {
    long kib = pid == null ? -1 : kib(pid, field);
    return kib < 0 ? -1 : kib / 1024;
  }

  private static long kib(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux, or the process is gone: unknown
    }
    return -1;
  }
}
