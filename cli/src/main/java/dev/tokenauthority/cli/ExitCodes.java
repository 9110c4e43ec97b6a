package dev.tokenauthority.cli;

import dev.tokenauthority.client.TokenAuthorityException;

/** What {@code ta} exits with; scripts can tell whose fault a failure was. */
public final class ExitCodes {
  /** Done. */
  public static final int OK = 0;
  /** Something unexpected in the CLI itself. */
  public static final int SOFTWARE = 1;
  /** The command line was wrong: unknown flag, missing argument, bad value (picocli's usage code). */
  public static final int USAGE = 2;
  /** No credential, or the server rejected it (UNAUTHENTICATED) or it lacks a scope (PERMISSION_DENIED). */
  public static final int AUTH = 3;
  /** The request was refused as the caller's mistake: NOT_FOUND, ALREADY_EXISTS, ABORTED, INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE. */
  public static final int CALLER = 4;
  /** The server could not be reached, timed out or failed: UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL and the rest. */
  public static final int SERVER = 5;

  private ExitCodes() {}

  public static int of(TokenAuthorityException e) {
    return switch (e.code()) {
      case UNAUTHENTICATED, PERMISSION_DENIED -> AUTH;
      case NOT_FOUND, ALREADY_EXISTS, ABORTED, INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> CALLER;
      default -> SERVER;
    };
  }
}
