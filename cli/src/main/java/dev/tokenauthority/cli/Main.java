package dev.tokenauthority.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** {@code ta}: the entry point of the runnable jar ({@code bin/ta}). */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    int code = TaCommand.run(args, System.getenv(), out, err, System.console() != null);
    out.flush();
    err.flush();
    System.exit(code);
  }
}
