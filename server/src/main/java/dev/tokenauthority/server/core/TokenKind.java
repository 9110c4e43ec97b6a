package dev.tokenauthority.server.core;

/**
 * The kinds of token the authority mints. Opaque kinds carry a secret with a kind prefix
 * and authenticate to this service; JWT kinds grant access to one resource elsewhere and
 * never authenticate here.
 */
public enum TokenKind {
  /** Tooken's workspace tokens (seed 004). */
  WORKSPACE("taw_", "tok_"),
  /** Kodexa's user access tokens (seed 003); their IDs are UUIDs. */
  ACCESS("tau_", null),
  /** The accounts platform's account API tokens (seed 002). */
  ACCOUNT_API("taa_", "apt_"),
  /** FlowEQ's record tokens (seed 000): JWTs that may update one record. */
  RECORD(null, "rtk_"),
  /** Altostrat's fault tokens (seed 001): read-only JWTs with a share link. */
  FAULT(null, "ftk_");

  private final String secretPrefix;
  private final String idPrefix;

  TokenKind(String secretPrefix, String idPrefix) {
    this.secretPrefix = secretPrefix;
    this.idPrefix = idPrefix;
  }

  /** The prefix of this kind's secrets ({@code null} for JWT kinds). */
  public String secretPrefix() {
    return secretPrefix;
  }

  /** The prefix of this kind's IDs ({@code null}: IDs are UUIDs). */
  public String idPrefix() {
    return idPrefix;
  }

  public boolean isOpaque() {
    return secretPrefix != null;
  }
}
