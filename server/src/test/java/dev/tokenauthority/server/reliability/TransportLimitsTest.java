package dev.tokenauthority.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenauthority.server.Main;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.TransportLimits;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.IntrospectTokenRequest;
import dev.tokenauthority.v1.TokenServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC transport limits over a real Netty port ({@link TransportLimits}): a request
 * message at 1 MiB is served, one byte more is RESOURCE_EXHAUSTED; request metadata under
 * 16 KiB is served, past it RESOURCE_EXHAUSTED; never INTERNAL, and the server (and the same
 * connection) keeps serving.
 */
class TransportLimitsTest {
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> PAD = Metadata.Key.of("x-pad", Metadata.ASCII_STRING_MARSHALLER);

  @TempDir Path dataDir;
  TokenAuthorityServer server;
  ManagedChannel channel;
  String admin;

  @BeforeEach
  void start() throws Exception {
    // a plain builder, not Main's: the server sets its limits on whatever builder it is given
    server = new TokenAuthorityServer(TestStores.config(dataDir).withGrpcPort(0).withHttpPort(0), Clock.systemUTC())
        .start(NettyServerBuilder.forPort(0));
    // the client accepts more than the server does, so that the server's limit is what is tested
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
        .maxInboundMessageSize(8 << 20).build();
    admin = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.stop();
  }

  TokenServiceGrpc.TokenServiceBlockingStub tokens(Metadata extra) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + admin);
    headers.merge(extra);
    return TokenServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** An introspection request of exactly {@code bytes} serialized bytes. */
  static IntrospectTokenRequest ofSize(int bytes) {
    // tag (1 byte) + length varint (3 bytes for these lengths) + the string
    IntrospectTokenRequest request = IntrospectTokenRequest.newBuilder().setToken("x".repeat(bytes - 4)).build();
    assertThat(request.getSerializedSize()).isEqualTo(bytes);
    return request;
  }

  void assertServing() {
    assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
    assertThat(tokens(new Metadata()).introspectToken(IntrospectTokenRequest.newBuilder().setToken(admin).build())
        .getActive()).isTrue();
  }

  @Test
  void aMessageAtTheCapIsServedAndOneBytePastItIsResourceExhausted() {
    // at the cap: served (an unknown token is simply inactive)
    assertThat(tokens(new Metadata()).introspectToken(ofSize(TransportLimits.MAX_MESSAGE_BYTES)).getActive()).isFalse();

    StatusRuntimeException past = catchThrowableOfType(StatusRuntimeException.class,
        () -> tokens(new Metadata()).introspectToken(ofSize(TransportLimits.MAX_MESSAGE_BYTES + 1)));
    assertThat(past).isNotNull();
    assertThat(past.getStatus().getCode()).as(past.getStatus().toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(past.getStatus().getDescription()).doesNotContain("\tat ");
    assertServing();
  }

  @Test
  void metadataUnderTheCapIsServedAndPastItIsResourceExhausted() {
    // the request's own headers (:path, :authority, content-type, user-agent, te, the credential, ...)
    // count too, at name + value + 32 bytes each: well under 1 KiB
    Metadata under = new Metadata();
    under.put(PAD, "p".repeat(TransportLimits.MAX_METADATA_BYTES - 1024));
    assertThat(tokens(under).introspectToken(IntrospectTokenRequest.newBuilder().setToken(admin).build()).getActive())
        .isTrue();

    Metadata past = new Metadata();
    past.put(PAD, "p".repeat(TransportLimits.MAX_METADATA_BYTES));
    StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
        () -> tokens(past).introspectToken(IntrospectTokenRequest.newBuilder().setToken(admin).build()));
    assertThat(refused).isNotNull();
    assertThat(refused.getStatus().getCode()).as(refused.getStatus().toString())
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertServing();
  }

  @Test
  void mainsBuilderIsTheOneTheServerLimits() {
    // Main and the benchmark build their transport with Main.grpcServerBuilder; the limits are
    // applied by TokenAuthorityServer.start to any builder, so they hold there too
    assertThat(Main.grpcServerBuilder(0)).isInstanceOf(NettyServerBuilder.class);
  }
}
