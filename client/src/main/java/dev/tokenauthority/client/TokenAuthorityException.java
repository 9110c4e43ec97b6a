package dev.tokenauthority.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A failed call, typed by category. Every error the client throws is one of these (or a
 * subclass). It still is a {@link StatusRuntimeException}, so code written against plain
 * gRPC (status, trailers, {@code StatusProto.fromThrowable}) keeps working, and it carries
 * the server's {@code google.rpc.ErrorInfo} (reason, domain, metadata) and
 * {@code google.rpc.BadRequest} field violations, already parsed from the trailers.
 *
 * <p>Subclasses: {@link InvalidArgumentException} (INVALID_ARGUMENT, FAILED_PRECONDITION,
 * OUT_OF_RANGE), {@link UnauthenticatedException}, {@link PermissionDeniedException},
 * {@link NotFoundException}, {@link AlreadyExistsException}, {@link ConflictException}
 * (ABORTED: a stale change sequence), {@link UnavailableException} (UNAVAILABLE,
 * DEADLINE_EXCEEDED). Any other status is a plain {@code TokenAuthorityException}.
 */
public class TokenAuthorityException extends StatusRuntimeException {
  private static final long serialVersionUID = 1L;

  /** One {@code BadRequest.FieldViolation}: the request field (a path such as {@code access_token.name}) and why. */
  public record FieldViolation(String field, String description) {}

  private final String reason;
  private final String domain;
  private final Map<String, String> errorMetadata;
  private final List<FieldViolation> fieldViolations;

  protected TokenAuthorityException(Status status, Metadata trailers) {
    super(status, trailers);
    com.google.rpc.Status details = trailers == null ? null : StatusProto.fromStatusAndTrailers(status, trailers);
    ErrorInfo info = null;
    List<FieldViolation> violations = new ArrayList<>();
    if (details != null) {
      for (Any any : details.getDetailsList()) {
        if (info == null && any.is(ErrorInfo.class)) {
          info = unpack(any, ErrorInfo.class);
        } else if (any.is(BadRequest.class)) {
          BadRequest bad = unpack(any, BadRequest.class);
          if (bad != null) {
            bad.getFieldViolationsList().forEach(v -> violations.add(new FieldViolation(v.getField(), v.getDescription())));
          }
        }
      }
    }
    this.reason = info == null ? "" : info.getReason();
    this.domain = info == null ? "" : info.getDomain();
    this.errorMetadata = info == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(info.getMetadataMap()));
    this.fieldViolations = List.copyOf(violations);
  }

  /**
   * The typed exception for a gRPC failure. An exception that already is a
   * {@code TokenAuthorityException} is returned as is; a {@link StatusRuntimeException} or
   * {@link io.grpc.StatusException} anywhere in the cause chain is converted; anything else
   * becomes UNKNOWN with {@code t} as its cause.
   */
  public static TokenAuthorityException from(Throwable t) {
    if (t instanceof TokenAuthorityException typed) {
      return typed;
    }
    Status status = Status.fromThrowable(t);
    Metadata trailers = Status.trailersFromThrowable(t);
    TokenAuthorityException e = of(status.getCause() == null ? status.withCause(t) : status, trailers);
    return e;
  }

  /** The typed exception for {@code status} and its trailers (which may be null). */
  public static TokenAuthorityException of(Status status, Metadata trailers) {
    return switch (status.getCode()) {
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> new InvalidArgumentException(status, trailers);
      case UNAUTHENTICATED -> new UnauthenticatedException(status, trailers);
      case PERMISSION_DENIED -> new PermissionDeniedException(status, trailers);
      case NOT_FOUND -> new NotFoundException(status, trailers);
      case ALREADY_EXISTS -> new AlreadyExistsException(status, trailers);
      case ABORTED -> new ConflictException(status, trailers);
      case UNAVAILABLE, DEADLINE_EXCEEDED -> new UnavailableException(status, trailers);
      default -> new TokenAuthorityException(status, trailers);
    };
  }

  /** The gRPC status code. */
  public Status.Code code() {
    return getStatus().getCode();
  }

  /** The server's description of the failure (never a secret), or "". */
  public String description() {
    String description = getStatus().getDescription();
    return description == null ? "" : description;
  }

  /** {@code ErrorInfo.reason} (for example {@code CREDENTIAL_REVOKED}), or "" when the error carried none. */
  public String reason() {
    return reason;
  }

  /** {@code ErrorInfo.domain} ({@code tokenauthority.dev}), or "". */
  public String domain() {
    return domain;
  }

  /** {@code ErrorInfo.metadata}, unmodifiable; empty when there is none. */
  public Map<String, String> errorMetadata() {
    return errorMetadata;
  }

  /** The {@code BadRequest} field violations, in the server's order; empty when there are none. */
  public List<FieldViolation> fieldViolations() {
    return fieldViolations;
  }

  private static <T extends com.google.protobuf.Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      return null; // a malformed detail must not hide the status itself
    }
  }
}
