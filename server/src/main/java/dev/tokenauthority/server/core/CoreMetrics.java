package dev.tokenauthority.server.core;

/**
 * What the core tells the metrics about, without depending on a metrics library: a token
 * minted (after its transaction commits) and a credential refused. Only enum values cross
 * this interface, so no secret, credential or identifier can reach a metric label.
 */
public interface CoreMetrics {
  /** Counts nothing (tests and tools that build a core without metrics). */
  CoreMetrics NONE = new CoreMetrics() {
    @Override
    public void minted(TokenKind kind) {}

    @Override
    public void authenticationFailed(Failure.Reason reason) {}
  };

  /** A token of {@code kind} was minted and stored. */
  void minted(TokenKind kind);

  /** A presented credential (or none) was refused for {@code reason}. */
  void authenticationFailed(Failure.Reason reason);
}
