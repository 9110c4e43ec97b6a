package dev.tokenauthority.server.core;

import java.util.List;
import java.util.Map;

/**
 * A failure the caller can act on, described without any transport in mind. The API
 * layer's error mapper turns it into a {@code google.rpc.Status}; anything that is not a
 * Failure is a server fault.
 */
public final class Failure extends RuntimeException {

  /** The class of failure; the error mapper picks the gRPC status code from it. */
  public enum Code {
    INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, ALREADY_EXISTS, ABORTED, UNAVAILABLE,
    FAILED_PRECONDITION, RESOURCE_EXHAUSTED
  }

  /** Machine-readable reasons; each has a twin of the same name in the API's ErrorReason enum. */
  public enum Reason {
    CREDENTIAL_MISSING, CREDENTIAL_INVALID, CREDENTIAL_EXPIRED, CREDENTIAL_REVOKED,
    SCOPE_MISSING, SCOPE_ESCALATION, INVALID_FIELD, RESOURCE_NOT_FOUND, RESOURCE_ALREADY_EXISTS,
    STORAGE_UNAVAILABLE, RESOURCE_GONE, CHANGE_SEQUENCE_MISMATCH, TOKEN_INACTIVE, AUTH_RATE_LIMITED,
    OVERLOADED
  }

  /** How every description of a missing field begins. */
  public static final String REQUIRED = "is required";

  /** One bad field: its JSON name as the API documents it, and what to change. */
  public record FieldViolation(String field, String description) {
    /** Whether the field was missing, rather than present with a bad value. */
    public boolean missing() {
      return description.startsWith(REQUIRED);
    }
  }

  private final Code code;
  private final Reason reason;
  private final Map<String, String> metadata;
  private final List<FieldViolation> violations;
  private final java.time.Duration retryAfter;

  private Failure(Code code, Reason reason, String message, Map<String, String> metadata,
      List<FieldViolation> violations) {
    this(code, reason, message, metadata, violations, null);
  }

  private Failure(Code code, Reason reason, String message, Map<String, String> metadata,
      List<FieldViolation> violations, java.time.Duration retryAfter) {
    super(message, null, false, false); // no stack trace: this is an answer, not a fault
    this.code = code;
    this.reason = reason;
    this.metadata = Map.copyOf(metadata);
    this.violations = List.copyOf(violations);
    this.retryAfter = retryAfter;
  }

  public static Failure invalid(List<FieldViolation> violations) {
    String message = violations.size() == 1
        ? violations.get(0).field() + ": " + violations.get(0).description()
        : violations.size() + " fields are invalid: " + String.join(", ",
            violations.stream().map(v -> v.field() + ": " + v.description()).toList());
    return new Failure(Code.INVALID_ARGUMENT, Reason.INVALID_FIELD, message, Map.of(), violations);
  }

  public static Failure invalid(String field, String description) {
    return invalid(List.of(new FieldViolation(field, description)));
  }

  public static Failure unauthenticated(Reason reason, String message) {
    return new Failure(Code.UNAUTHENTICATED, reason, message, Map.of(), List.of());
  }

  public static Failure missingScope(String scope) {
    return new Failure(Code.PERMISSION_DENIED, Reason.SCOPE_MISSING,
        "This credential lacks the scope " + scope + " that this call requires.", Map.of("scope", scope), List.of());
  }

  public static Failure escalation(List<String> scopes) {
    String joined = String.join(" ", scopes);
    return new Failure(Code.PERMISSION_DENIED, Reason.SCOPE_ESCALATION,
        "A token cannot be granted scopes its creator lacks: " + joined + ".", Map.of("scopes", joined), List.of());
  }

  public static Failure notFound(String type, String id) {
    return new Failure(Code.NOT_FOUND, Reason.RESOURCE_NOT_FOUND,
        "No " + type + " with ID '" + id + "' exists.", Map.of("type", type, "id", id), List.of());
  }

  /** As {@link #notFound(String, String)}, for an object named by a secret (a share-link code), which is not echoed. */
  public static Failure notFoundBySecret(String type) {
    return new Failure(Code.NOT_FOUND, Reason.RESOURCE_NOT_FOUND, "No " + type + " with this code exists.",
        Map.of("type", type), List.of());
  }

  public static Failure alreadyExists(String type, String field, String value) {
    return new Failure(Code.ALREADY_EXISTS, Reason.RESOURCE_ALREADY_EXISTS,
        "A " + type + " with " + field + " '" + value + "' already exists; choose another " + field + ".",
        Map.of("type", type, "field", field), List.of(new FieldViolation(field, "must be unique")));
  }

  /**
   * An object that existed but is no longer usable ({@code status} says why: e.g. expired,
   * revoked); {@code message} must not echo a secret that names the object.
   */
  public static Failure gone(String type, String status, String message) {
    return new Failure(Code.FAILED_PRECONDITION, Reason.RESOURCE_GONE, message, Map.of("type", type, "status", status),
        List.of());
  }

  /**
   * Optimistic locking: the caller's change is based on change {@code expected} of an object
   * that is now at change {@code current}.
   */
  public static Failure changed(String type, int current, int expected) {
    return new Failure(Code.ABORTED, Reason.CHANGE_SEQUENCE_MISMATCH,
        "The " + type + " has changed since it was read: its changeSequence is " + current + ", not " + expected
            + ". Read it again, then retry.", Map.of("changeSequence", Integer.toString(current)), List.of());
  }

  /** The token is revoked or expired, which is final: it can no longer be changed. */
  public static Failure inactive(String type, String status) {
    return new Failure(Code.FAILED_PRECONDITION, Reason.TOKEN_INACTIVE,
        "The " + type + " is " + status + ", which is final: it can no longer be changed.", Map.of("status", status),
        List.of());
  }

  /**
   * Too many failed authentications from the caller's address, or against the presented
   * credential's prefix ({@code what} says which, in words); retry after {@code retryAfter}.
   */
  public static Failure rateLimited(String what, java.time.Duration retryAfter) {
    return new Failure(Code.RESOURCE_EXHAUSTED, Reason.AUTH_RATE_LIMITED, "Too many failed authentications "
        + what + "; retry in " + retryAfter.toSeconds() + " s.", Map.of(), List.of(), retryAfter);
  }

  /**
   * The server is at capacity (every call slot taken, and the short wait for one ran out):
   * nothing was done, and the same call may be sent again after {@code retryAfter}.
   */
  public static Failure overloaded(java.time.Duration retryAfter) {
    return new Failure(Code.RESOURCE_EXHAUSTED, Reason.OVERLOADED, "The server is at capacity; retry in "
        + Math.max(1, retryAfter.toSeconds()) + " s.", Map.of(), List.of(), retryAfter);
  }

  public static Failure storageUnavailable() {
    return new Failure(Code.UNAVAILABLE, Reason.STORAGE_UNAVAILABLE,
        "The token store is unavailable; retry later.", Map.of(), List.of());
  }

  public Code code() {
    return code;
  }

  public Reason reason() {
    return reason;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  public List<FieldViolation> violations() {
    return violations;
  }

  /** How long the caller should wait before retrying, or null when the failure says nothing about it. */
  public java.time.Duration retryAfter() {
    return retryAfter;
  }
}
