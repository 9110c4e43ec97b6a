package dev.tokenauthority.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tokenauthority.server.Main;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.testing.StoreProbe;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.RevokeWorkspaceTokenRequest;
import dev.tokenauthority.v1.WorkspaceTokenServiceGrpc;
import dev.tokenauthority.v1.WorkspaceTokenServiceGrpc.WorkspaceTokenServiceBlockingStub;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The server-side deadline ({@code --max-call-duration}), set to 200 ms here, on a real Netty
 * port and through the REST gateway. A revocation is made to block on a row lock the test
 * holds; every refused call returns while the lock is still held, so the server cut it (no
 * timing is asserted: the durations go to the log).
 */
class CallDeadlineTest {
  private static final Duration CAP = Duration.ofMillis(200);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  @TempDir Path dataDir;
  TokenAuthorityServer server;
  ManagedChannel channel;
  String admin;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    server = new TokenAuthorityServer(TestStores.config(dataDir).withGrpcPort(0)
        .withHttpPort(ServerConfig.ANY_FREE_PORT).withMaxCallDuration(CAP), Clock.systemUTC())
        .start(Main.grpcServerBuilder(0));
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    admin = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.stop();
  }

  /** A stub with the admin credential and no deadline of its own. */
  WorkspaceTokenServiceBlockingStub stub() {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + admin);
    return WorkspaceTokenServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  HttpResponse<String> deleteOverRest(String id) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/tokens/" + id))
        .header("Authorization", "Bearer " + admin).timeout(Duration.ofSeconds(60)).DELETE().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static RevokeWorkspaceTokenRequest revoke(String id) {
    return RevokeWorkspaceTokenRequest.newBuilder().setId(id).build();
  }

  @Test
  void aCallBlockedPastTheCapIsDeadlineExceededOverGrpcAndGatewayTimeoutOverRest() throws Exception {
    String id = stub().withDeadlineAfter(20, TimeUnit.SECONDS).createWorkspaceToken(CreateWorkspaceTokenRequest
        .newBuilder().setName("locked").addScopes("tokens:read").build()).getId();
    try (Connection lock = new StoreProbe(dataDir).connect()) {
      lock.setAutoCommit(false);
      try (PreparedStatement hold = lock.prepareStatement("UPDATE tokens SET name = name WHERE id = ?")) {
        hold.setString(1, id);
        assertThat(hold.executeUpdate()).isEqualTo(1); // the row is locked until the rollback below
      }

      // no client deadline: the server's cap bounds the call
      long started = System.nanoTime();
      StatusRuntimeException noDeadline = catchThrowableOfType(StatusRuntimeException.class,
          () -> stub().revokeWorkspaceToken(revoke(id)));
      long noDeadlineMillis = (System.nanoTime() - started) / 1_000_000;
      assertThat(noDeadline).isNotNull();
      assertThat(noDeadline.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(noDeadline.getStatus().getDescription()).contains("server's limit of 200 ms");

      // a longer client deadline is cut to the cap
      StatusRuntimeException longer = catchThrowableOfType(StatusRuntimeException.class,
          () -> stub().withDeadlineAfter(60, TimeUnit.SECONDS).revokeWorkspaceToken(revoke(id)));
      assertThat(longer.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(longer.getStatus().getDescription()).contains("server's limit");

      // a shorter client deadline wins: the client's own DEADLINE_EXCEEDED, not the server's
      StatusRuntimeException shorter = catchThrowableOfType(StatusRuntimeException.class,
          () -> stub().withDeadlineAfter(100, TimeUnit.MILLISECONDS).revokeWorkspaceToken(revoke(id)));
      assertThat(shorter.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(shorter.getStatus().getDescription()).doesNotContain("server's limit");

      // REST: the gateway's own deadline is 30 s; the server's cap answers first, 504
      started = System.nanoTime();
      HttpResponse<String> rest = deleteOverRest(id);
      long restMillis = (System.nanoTime() - started) / 1_000_000;
      assertThat(rest.statusCode()).isEqualTo(504);
      JsonObject body = JsonParser.parseString(rest.body()).getAsJsonObject();
      assertThat(body.get("code").getAsInt()).isEqualTo(Status.Code.DEADLINE_EXCEEDED.value());
      assertThat(body.get("message").getAsString()).contains("server's limit");
      LoggerFactory.getLogger(CallDeadlineTest.class).info("cap {} ms: gRPC call without deadline answered in {} ms, "
          + "REST in {} ms, while the lock was held", CAP.toMillis(), noDeadlineMillis, restMillis);
      lock.rollback();
    }
    // the lock is gone: the same calls work again, within the cap
    assertThat(stub().revokeWorkspaceToken(revoke(id)).getStatus()).isEqualTo("revoked");
    assertThat(deleteOverRest(id).statusCode()).isEqualTo(200);
  }
}
