package dev.tokenauthority.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs {@code ta} in-process with captured stdout and stderr. */
record Ta(int code, String out, String err) {
  static Ta run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = TaCommand.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true), false);
    return new Ta(code, out.toString(), err.toString());
  }

  /** Both streams, for "never appears anywhere" assertions. */
  String all() {
    return out + "\n" + err;
  }

  @Override
  public String toString() {
    return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
