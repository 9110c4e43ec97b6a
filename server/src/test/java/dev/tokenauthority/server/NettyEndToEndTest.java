package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.ApiToken;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.Record;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real transport: a Netty server on a free port, called through the typed client. */
class NettyEndToEndTest {
  @TempDir Path dataDir;

  @Test
  void mintsEveryKindOverARealPortAndReportsHealth() throws Exception {
    TokenAuthorityServer server = new TokenAuthorityServer(TestStores.config(dataDir).withGrpcPort(0).withHttpPort(0),
        Clock.systemUTC()).start(NettyServerBuilder.forPort(0));
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try {
      assertThat(server.port()).isPositive();
      assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
          .isEqualTo(ServingStatus.SERVING);
      assertThat(HealthGrpc.newBlockingStub(channel)
          .check(HealthCheckRequest.newBuilder().setService("tokenauthority.v1.RecordTokenService").build())
          .getStatus()).isEqualTo(ServingStatus.SERVING);

      String admin = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
      TokenAuthorityClient client = new TokenAuthorityClient(channel, Credentials.bearer(admin));
      client.createRecord(Record.newBuilder().setId("rec-1").build());
      client.createAccount(Account.newBuilder().setId("acc-1").setName("Acme").build());

      assertThat(client.createRecordToken("rec-1", null).getType()).isEqualTo("record");
      assertThat(client.generateFaultToken(60).getType()).isEqualTo("jwt");
      assertThat(client.createApiToken(ApiToken.newBuilder().setAccount(Account.newBuilder().setId("acc-1")).build())
          .getStatus()).isEqualTo("active");
      AccessToken access = client.createAccessToken(AccessToken.newBuilder().setName("cli").build());
      // seed 003's callers authenticate with x-api-key
      TokenAuthorityClient viaApiKey = client.withCredentials(Credentials.apiKey(access.getToken()));
      assertThat(viaApiKey.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("e2e")
          .addScopes("tokens:read").build()).getStatus()).isEqualTo("active");
    } finally {
      server.stop();
    }
    try {
      // stopped means stopped: the port no longer serves, not even health
      StatusRuntimeException refused = catchThrowableOfType(
          StatusRuntimeException.class,
          () -> HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance()));
      assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
