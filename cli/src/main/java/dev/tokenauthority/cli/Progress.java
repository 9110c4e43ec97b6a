package dev.tokenauthority.cli;

import java.io.PrintWriter;

/**
 * Progress of bulk work on stderr: a self-overwriting counter while stderr is a terminal,
 * and always one final line (so logs and scripts see the count too).
 */
final class Progress {
  private final PrintWriter err;
  private final boolean terminal;
  private final String verb;
  private final int total;
  private int done;
  private int failed;

  Progress(PrintWriter err, boolean terminal, String verb, int total) {
    this.err = err;
    this.terminal = terminal;
    this.verb = verb;
    this.total = total;
  }

  void succeeded() {
    done++;
    show();
  }

  void failed() {
    failed++;
    show();
  }

  private void show() {
    if (terminal) {
      err.print("\r" + verb + " " + (done + failed) + "/" + total + (failed > 0 ? " (" + failed + " failed)" : ""));
      err.flush();
    }
  }

  /** The final line, e.g. {@code revoked 3 of 3}. */
  void finish() {
    if (terminal) {
      err.print("\r");
    }
    err.println(verb + " " + done + " of " + total + (failed > 0 ? " (" + failed + " failed)" : ""));
    err.flush();
  }

  /**
   * Runs one long call; while stderr is a terminal a spinner shows it is alive. Returns what
   * the call returned.
   */
  static <T> T spin(PrintWriter err, boolean terminal, String label, java.util.function.Supplier<T> call) {
    if (!terminal) {
      return call.get();
    }
    Thread spinner = new Thread(() -> {
      char[] frames = {'|', '/', '-', '\\'};
      long start = System.nanoTime();
      for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
        err.print("\r" + frames[i % frames.length] + " " + label + " "
            + (System.nanoTime() - start) / 1_000_000_000L + "s");
        err.flush();
        try {
          Thread.sleep(120);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "ta-progress");
    spinner.setDaemon(true);
    spinner.start();
    try {
      return call.get();
    } finally {
      spinner.interrupt();
      try {
        spinner.join(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      err.print("\r\033[K");
      err.flush();
    }
  }
}
