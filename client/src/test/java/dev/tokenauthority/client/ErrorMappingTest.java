package dev.tokenauthority.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.AccessTokenServiceGrpc;
import dev.tokenauthority.v1.GetAccessTokenRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every failure the client throws is typed by its status and carries the parsed rich details. */
class ErrorMappingTest {
  private volatile com.google.rpc.Status next;
  private volatile Status plain;
  private Server server;
  private ManagedChannel channel;
  private TokenAuthorityClient client;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new AccessTokenServiceGrpc.AccessTokenServiceImplBase() {
          @Override
          public void getAccessToken(GetAccessTokenRequest request, StreamObserver<AccessToken> out) {
            out.onError(plain != null ? plain.asRuntimeException() : StatusProto.toStatusRuntimeException(next));
          }
        }).build().start();
    // no retry here: UNAVAILABLE must surface on the first attempt
    channel = InProcessChannelBuilder.forName(name).directExecutor().disableRetry().build();
    client = new TokenAuthorityClient(channel, Credentials.bearer("s3cret"));
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static com.google.rpc.Status status(Status.Code code, String reason, Any... more) {
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder().setCode(code.value())
        .setMessage("described").addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason)
            .setDomain("tokenauthority.dev").putMetadata("resource", "access_token").build()));
    for (Any any : more) {
      status.addDetails(any);
    }
    return status.build();
  }

  @ParameterizedTest
  @CsvSource({
      "INVALID_ARGUMENT, InvalidArgumentException",
      "FAILED_PRECONDITION, InvalidArgumentException",
      "OUT_OF_RANGE, InvalidArgumentException",
      "UNAUTHENTICATED, UnauthenticatedException",
      "PERMISSION_DENIED, PermissionDeniedException",
      "NOT_FOUND, NotFoundException",
      "ALREADY_EXISTS, AlreadyExistsException",
      "ABORTED, ConflictException",
      "UNAVAILABLE, UnavailableException",
      "DEADLINE_EXCEEDED, UnavailableException",
      "INTERNAL, TokenAuthorityException",
      "UNKNOWN, TokenAuthorityException",
      "RESOURCE_EXHAUSTED, TokenAuthorityException",
  })
  void eachStatusBecomesItsTypedException(Status.Code code, String type) {
    next = status(code, "SOME_REASON");
    TokenAuthorityException e = catchThrowableOfType(TokenAuthorityException.class, () -> client.getAccessToken("x"));
    assertThat(e).isNotNull();
    assertThat(e.getClass().getSimpleName()).isEqualTo(type);
    assertThat(e.code()).isEqualTo(code);
    assertThat(e.reason()).isEqualTo("SOME_REASON");
    assertThat(e.domain()).isEqualTo("tokenauthority.dev");
    assertThat(e.errorMetadata()).isEqualTo(Map.of("resource", "access_token"));
    assertThat(e.description()).isEqualTo("described");
    assertThat(e.fieldViolations()).isEmpty();
    // still a StatusRuntimeException: plain gRPC code keeps working
    assertThat(e).isInstanceOf(StatusRuntimeException.class);
    assertThat(StatusProto.fromThrowable(e).getDetailsCount()).isEqualTo(1);
  }

  @Test
  void fieldViolationsAreParsedInOrder() {
    next = status(Status.Code.INVALID_ARGUMENT, "INVALID_FIELD", Any.pack(BadRequest.newBuilder()
        .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField("access_token.name").setDescription("is required"))
        .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField("access_token.expires_at").setDescription("is past"))
        .build()));
    InvalidArgumentException e = catchThrowableOfType(InvalidArgumentException.class, () -> client.getAccessToken("x"));
    assertThat(e.reason()).isEqualTo("INVALID_FIELD");
    assertThat(e.fieldViolations()).containsExactly(
        new TokenAuthorityException.FieldViolation("access_token.name", "is required"),
        new TokenAuthorityException.FieldViolation("access_token.expires_at", "is past"));
  }

  @Test
  void aStatusWithoutDetailsStillMaps() {
    plain = Status.NOT_FOUND.withDescription("no such token");
    NotFoundException e = catchThrowableOfType(NotFoundException.class, () -> client.getAccessToken("x"));
    assertThat(e.reason()).isEmpty();
    assertThat(e.errorMetadata()).isEmpty();
    assertThat(e.fieldViolations()).isEmpty();
    assertThat(e.description()).isEqualTo("no such token");
  }

  @Test
  void theCredentialNeverAppearsInTheException() {
    next = status(Status.Code.UNAUTHENTICATED, "CREDENTIAL_INVALID");
    UnauthenticatedException e = catchThrowableOfType(UnauthenticatedException.class, () -> client.getAccessToken("x"));
    assertThat(e.toString()).doesNotContain("s3cret");
    assertThat(String.valueOf(e.getTrailers())).doesNotContain("s3cret");
  }

  @Test
  void fromKeepsTypedExceptionsAndConvertsOthers() {
    TokenAuthorityException typed = TokenAuthorityException.of(Status.ABORTED, null);
    assertThat(TokenAuthorityException.from(typed)).isSameAs(typed);
    assertThat(TokenAuthorityException.from(new RuntimeException("boom")).code()).isEqualTo(Status.Code.UNKNOWN);
    assertThat(TokenAuthorityException.from(new RuntimeException(Status.NOT_FOUND.asException())))
        .isInstanceOf(NotFoundException.class);
    assertThat(List.of(TokenAuthorityException.of(Status.ABORTED, null))).hasOnlyElementsOfType(ConflictException.class);
  }
}
