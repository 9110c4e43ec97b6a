package dev.tokenauthority.server.api;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.tokenauthority.server.core.Failure;
import dev.tokenauthority.server.store.Database;
import dev.tokenauthority.v1.ErrorReason;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The one place errors become gRPC statuses: a {@code google.rpc.Status} with exactly one
 * {@code ErrorInfo} (domain {@value #DOMAIN}) and, for invalid input, a {@code BadRequest}
 * naming each bad field. As an interceptor it catches whatever a service method throws,
 * so no stack trace ever reaches a caller: unexpected faults become INTERNAL with an
 * incident ID that appears, with the stack trace, only in the server log. A store outage
 * ({@link Database#isUnavailable}) is no fault of the call: it becomes UNAVAILABLE with
 * reason {@code STORAGE_UNAVAILABLE} (HTTP 503 at the REST edge), which callers may retry.
 * A failure that says when to retry (rate-limited authentication) also carries a
 * {@code google.rpc.RetryInfo}, which the REST edge turns into {@code Retry-After}.
 */
public final class ErrorMapper implements ServerInterceptor {
  public static final String DOMAIN = "tokenauthority.dev";
  /** {@code BadRequest.FieldViolation.reason} of a missing field, and of a field with a bad value. */
  public static final String FIELD_REQUIRED = "FIELD_REQUIRED";
  public static final String FIELD_INVALID = "FIELD_INVALID";
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);
  private static final Duration OUTAGE_LOG_INTERVAL = Duration.ofSeconds(10);
  private static final AtomicLong lastOutageWarning = new AtomicLong(System.nanoTime() - OUTAGE_LOG_INTERVAL.toNanos());

  /** The status a caller sees for {@code error}. */
  public static StatusException toStatus(Throwable error) {
    if (error instanceof Failure failure) {
      return fromFailure(failure);
    }
    if (Database.isUnavailable(error)) {
      logOutage(error);
      return fromFailure(Failure.storageUnavailable());
    }
    String incident = UUID.randomUUID().toString();
    LOG.error("Internal fault, incident " + incident, error);
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
    if (failure.retryAfter() != null) {
      status.addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder()
          .setSeconds(failure.retryAfter().getSeconds()).setNanos(failure.retryAfter().getNano())).build()));
    }
    return StatusProto.toStatusException(status.build());
  }

  /**
   * One WARN line per {@link #OUTAGE_LOG_INTERVAL} at most (the rest at DEBUG): in an outage
   * every call fails, and the store health monitor already logs the outage once. The line
   * names the driver's SQLSTATE and message, never JDBI's statement text or its arguments.
   */
  private static void logOutage(Throwable error) {
    long now = System.nanoTime();
    long last = lastOutageWarning.get();
    boolean warn = now - last >= OUTAGE_LOG_INTERVAL.toNanos() && lastOutageWarning.compareAndSet(last, now);
    LOG.atLevel(warn ? Level.WARN : Level.DEBUG).log("Token store unavailable; answering UNAVAILABLE: "
        + Database.describe(error));
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
