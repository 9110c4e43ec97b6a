package dev.tokenauthority.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.IntrospectTokenRequest;
import dev.tokenauthority.v1.IntrospectTokenResponse;
import dev.tokenauthority.v1.RevokeTokensCreatedByRequest;
import dev.tokenauthority.v1.RevokeTokensCreatedByResponse;
import dev.tokenauthority.v1.TokenServiceGrpc;
import dev.tokenauthority.v1.WorkspaceToken;
import dev.tokenauthority.v1.WorkspaceTokenServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The default service config retries UNAVAILABLE on idempotent calls and nothing else: a fake
 * server fails every method UNAVAILABLE a number of times before answering, and counts attempts.
 */
class RetryPolicyTest {
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
  private volatile int failuresBeforeSuccess;
  private Server server;
  private ManagedChannel channel;
  private TokenAuthorityClient client;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new TokenServiceGrpc.TokenServiceImplBase() {
          @Override
          public void introspectToken(IntrospectTokenRequest request, StreamObserver<IntrospectTokenResponse> out) {
            if (fail("IntrospectToken", out)) {
              out.onNext(IntrospectTokenResponse.newBuilder().setActive(true).build());
              out.onCompleted();
            }
          }

          @Override
          public void revokeTokensCreatedBy(RevokeTokensCreatedByRequest request,
              StreamObserver<RevokeTokensCreatedByResponse> out) {
            if (fail("RevokeTokensCreatedBy", out)) {
              out.onNext(RevokeTokensCreatedByResponse.getDefaultInstance());
              out.onCompleted();
            }
          }
        })
        .addService(new WorkspaceTokenServiceGrpc.WorkspaceTokenServiceImplBase() {
          @Override
          public void createWorkspaceToken(CreateWorkspaceTokenRequest request, StreamObserver<WorkspaceToken> out) {
            if (fail("CreateWorkspaceToken", out)) {
              out.onNext(WorkspaceToken.newBuilder().setId("wt_1").build());
              out.onCompleted();
            }
          }
        })
        .build().start();
    channel = TokenAuthorityClient.withDefaults(InProcessChannelBuilder.forName(name).directExecutor()).build();
    client = new TokenAuthorityClient(channel, Credentials.bearer("secret"));
  }

  /** Counts the attempt; fails it UNAVAILABLE while the method has failed fewer than {@code failuresBeforeSuccess} times. */
  private boolean fail(String method, StreamObserver<?> out) {
    int attempt = attempts.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
    if (attempt <= failuresBeforeSuccess) {
      out.onError(Status.UNAVAILABLE.withDescription("try again").asRuntimeException());
      return false;
    }
    return true;
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private int attemptsOf(String method) {
    return attempts.getOrDefault(method, new AtomicInteger()).get();
  }

  @Test
  void anIdempotentCallSucceedsOnItsThirdAttempt() {
    failuresBeforeSuccess = 2;
    assertThat(client.introspectToken("t").getActive()).isTrue();
    assertThat(attemptsOf("IntrospectToken")).isEqualTo(3);
  }

  @Test
  void anIdempotentCallGivesUpAfterMaxAttempts() {
    failuresBeforeSuccess = 100;
    UnavailableException e = catchThrowableOfType(UnavailableException.class, () -> client.introspectToken("t"));
    assertThat(e).isNotNull();
    assertThat(e.description()).isEqualTo("try again");
    assertThat(attemptsOf("IntrospectToken")).isEqualTo(TokenAuthorityClient.MAX_ATTEMPTS);
  }

  @Test
  void aCreateIsAttemptedExactlyOnce() {
    failuresBeforeSuccess = 2;
    UnavailableException e = catchThrowableOfType(UnavailableException.class,
        () -> client.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("n").build()));
    assertThat(e).isNotNull();
    assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(attemptsOf("CreateWorkspaceToken")).isEqualTo(1);
  }

  @Test
  void aBulkRevokeIsAttemptedExactlyOnce() {
    failuresBeforeSuccess = 2;
    assertThat(catchThrowableOfType(UnavailableException.class,
        () -> client.revokeTokensCreatedBy(RevokeTokensCreatedByRequest.getDefaultInstance()))).isNotNull();
    assertThat(attemptsOf("RevokeTokensCreatedBy")).isEqualTo(1);
  }

  @Test
  void withoutTheServiceConfigNothingIsRetried() throws Exception {
    failuresBeforeSuccess = 2;
    String name = InProcessServerBuilder.generateName();
    Server plain = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new TokenServiceGrpc.TokenServiceImplBase() {
          @Override
          public void introspectToken(IntrospectTokenRequest request, StreamObserver<IntrospectTokenResponse> out) {
            fail("Plain", out);
          }
        }).build().start();
    ManagedChannel bare = InProcessChannelBuilder.forName(name).directExecutor().disableRetry().build();
    try {
      assertThat(catchThrowableOfType(UnavailableException.class,
          () -> new TokenAuthorityClient(bare, null).introspectToken("t"))).isNotNull();
      assertThat(attemptsOf("Plain")).isEqualTo(1);
    } finally {
      bare.shutdownNow();
      plain.shutdownNow();
    }
  }
}
