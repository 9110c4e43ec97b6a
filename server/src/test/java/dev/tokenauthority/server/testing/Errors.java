package dev.tokenauthority.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on the rich errors the API returns. */
public final class Errors {
  private Errors() {}

  /** Runs {@code call}, asserts it fails with {@code code} and {@code reason}, and returns the error. */
  public static StatusRuntimeException expect(Status.Code code, String reason, ThrowingCallable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
    assertThat(e).as("expected %s %s", code, reason).isNotNull();
    assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
    assertThat(errorInfo(e).getReason()).isEqualTo(reason);
    assertThat(errorInfo(e).getDomain()).isEqualTo("tokenauthority.dev");
    assertThat(e.getStatus().getDescription()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    return e;
  }

  /** Asserts {@code call} is INVALID_ARGUMENT naming exactly {@code fields}; returns the error. */
  public static StatusRuntimeException expectInvalid(ThrowingCallable call, String... fields) {
    StatusRuntimeException e = expect(Status.Code.INVALID_ARGUMENT, "INVALID_FIELD", call);
    assertThat(violatedFields(e)).containsExactlyInAnyOrder(fields);
    return e;
  }

  public static ErrorInfo errorInfo(StatusRuntimeException e) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    assertThat(status).as("google.rpc.Status details").isNotNull();
    List<ErrorInfo> infos = status.getDetailsList().stream().filter(a -> a.is(ErrorInfo.class))
        .map(a -> unpack(a, ErrorInfo.class)).toList();
    assertThat(infos).as("exactly one ErrorInfo").hasSize(1);
    return infos.get(0);
  }

  public static List<String> violatedFields(StatusRuntimeException e) {
    return StatusProto.fromThrowable(e).getDetailsList().stream().filter(a -> a.is(BadRequest.class))
        .flatMap(a -> unpack(a, BadRequest.class).getFieldViolationsList().stream())
        .map(BadRequest.FieldViolation::getField).toList();
  }

  private static <T extends com.google.protobuf.Message> T unpack(com.google.protobuf.Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
      throw new AssertionError(ex);
    }
  }
}
