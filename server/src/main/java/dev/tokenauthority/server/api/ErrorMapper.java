package dev.tokenauthority.server.api;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.tokenauthority.server.core.Failure;
import dev.tokenauthority.v1.ErrorReason;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusException;
import io.grpc.protobuf.StatusProto;
import java.sql.SQLTransientConnectionException;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jdbi.v3.core.ConnectionException;

/**
 * The one place errors become gRPC statuses: a {@code google.rpc.Status} with exactly one
 * {@code ErrorInfo} (domain {@value #DOMAIN}) and, for invalid input, a {@code BadRequest}
 * naming each bad field. As an interceptor it catches whatever a service method throws,
 * so no stack trace ever reaches a caller: unexpected faults become INTERNAL with an
 * incident ID that appears, with the stack trace, only in the server log.
 */
public final class ErrorMapper implements ServerInterceptor {
  public static final String DOMAIN = "tokenauthority.dev";
  /** {@code BadRequest.FieldViolation.reason} of a missing field, and of a field with a bad value. */
  public static final String FIELD_REQUIRED = "FIELD_REQUIRED";
  public static final String FIELD_INVALID = "FIELD_INVALID";
  private static final Logger LOG = Logger.getLogger(ErrorMapper.class.getName());

  /** The status a caller sees for {@code error}. */
  public static StatusException toStatus(Throwable error) {
    if (error instanceof Failure failure) {
      return fromFailure(failure);
    }
    if (isStorageOutage(error)) {
      LOG.warning("Token store unavailable: " + error);
      return fromFailure(Failure.storageUnavailable());
    }
    String incident = UUID.randomUUID().toString();
    LOG.log(Level.SEVERE, "Internal fault, incident " + incident, error);
    return StatusProto.toStatusException(com.google.rpc.Status.newBuilder()
        .setCode(Code.INTERNAL_VALUE)
        .setMessage("An internal error occurred (incident " + incident + "). Retry, or report the incident ID.")
        .addDetails(Any.pack(ErrorInfo.newBuilder()
            .setReason(ErrorReason.INTERNAL_FAULT.name())
            .setDomain(DOMAIN)
            .putMetadata("incident", incident)
            .build()))
        .build());
  }

  private static StatusException fromFailure(Failure failure) {
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
        .setCode(Code.valueOf(failure.code().name()).getNumber())
        .setMessage(failure.getMessage())
        .addDetails(Any.pack(ErrorInfo.newBuilder()
            .setReason(ErrorReason.valueOf(failure.reason().name()).name())
            .setDomain(DOMAIN)
            .putAllMetadata(failure.metadata())
            .build()));
    if (!failure.violations().isEmpty()) {
      BadRequest.Builder badRequest = BadRequest.newBuilder();
      failure.violations().forEach(v -> badRequest.addFieldViolations(
          BadRequest.FieldViolation.newBuilder().setField(v.field()).setDescription(v.description())
              .setReason(v.missing() ? FIELD_REQUIRED : FIELD_INVALID)));
      status.addDetails(Any.pack(badRequest.build()));
    }
    return StatusProto.toStatusException(status.build());
  }

  private static boolean isStorageOutage(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ConnectionException || t instanceof SQLTransientConnectionException) {
        return true;
      }
    }
    return false;
  }

  /** Closes {@code call} with the status for {@code error}. */
  static void close(ServerCall<?, ?> call, Throwable error) {
    StatusException status = toStatus(error);
    call.close(status.getStatus(), status.getTrailers() == null ? new Metadata() : status.getTrailers());
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    ServerCall.Listener<Q> delegate;
    try {
      delegate = next.startCall(call, headers);
    } catch (RuntimeException e) {
      close(call, e);
      return new ServerCall.Listener<>() {};
    }
    return new SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onMessage(Q message) {
        try {
          super.onMessage(message);
        } catch (RuntimeException e) {
          close(call, e);
        }
      }

      @Override
      public void onHalfClose() {
        try {
          super.onHalfClose(); // unary handlers run here
        } catch (RuntimeException e) {
          close(call, e);
        }
      }
    };
  }
}
