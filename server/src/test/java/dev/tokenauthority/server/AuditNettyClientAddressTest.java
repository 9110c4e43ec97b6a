package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.testing.AuditPages;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.AuditEvent;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Over the real transport, the audit log records the caller's loopback address (and a loopback proxy's client). */
class AuditNettyClientAddressTest {
  @TempDir Path dataDir;

  @Test
  void aRealCallIsRecordedWithItsPeerAddress() throws Exception {
    TokenAuthorityServer server = new TokenAuthorityServer(
        TestStores.config(dataDir).withGrpcPort(0).withHttpPort(0), Clock.systemUTC())
        .start(NettyServerBuilder.forPort(0));
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try {
      String admin = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
      TokenAuthorityClient client = new TokenAuthorityClient(channel, Credentials.bearer(admin));
      String direct = client.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("direct")
          .addScopes("tokens:read").build()).getId();
      // a loopback peer is a trusted proxy: the entry it appended to x-forwarded-for is the client
      Metadata forwarded = new Metadata();
      forwarded.put(Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER), "203.0.113.9");
      TokenAuthorityClient viaProxy = new TokenAuthorityClient(
          io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(forwarded)),
          Credentials.bearer(admin));
      String proxied = viaProxy.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("proxied")
          .addScopes("tokens:read").build()).getId();
      catchThrowableOfType(StatusRuntimeException.class, () -> client.withCredentials(Credentials.bearer("nope"))
          .createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("x").addScopes("tokens:read")
              .build()));

      var mints = AuditPages.all(client, "token.mint");
      assertThat(mints.stream().filter(e -> e.getTargetId().equals(direct)).map(AuditEvent::getClientAddress))
          .containsExactly("127.0.0.1");
      assertThat(mints.stream().filter(e -> e.getTargetId().equals(proxied)).map(AuditEvent::getClientAddress))
          .containsExactly("203.0.113.9");
      assertThat(AuditPages.all(client, "auth.failure")).extracting(AuditEvent::getClientAddress)
          .containsExactly("127.0.0.1");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.stop();
    }
  }
}
