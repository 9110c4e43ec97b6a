package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.errorInfo;
import static dev.tokenauthority.server.testing.Errors.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.core.Secrets;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.server.testing.MutableClock;
import dev.tokenauthority.server.testing.StoreProbe;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.FaultToken;
import dev.tokenauthority.v1.FaultTokenServiceGrpc;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.ResolveShareLinkRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 001's share links over gRPC: FaultTokenService.ResolveShareLink (HTTP {@code GET
 * /s/{code}}) leads to the configured dashboard with the JWT while the token is active,
 * without any credential, and is NOT_FOUND / gone otherwise.
 */
class ShareLinkTest {
  private static final Metadata.Key<String> LOCATION = Metadata.Key.of("location", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> CACHE_CONTROL =
      Metadata.Key.of("cache-control", Metadata.ASCII_STRING_MARSHALLER);

  @TempDir Path dataDir;
  InProcessAuthority authority;
  TokenAuthorityClient admin;
  /** Calls with no credential at all, as a browser following the link makes them. */
  FaultTokenServiceGrpc.FaultTokenServiceBlockingStub anonymous;

  @BeforeEach
  void start() {
    authority = InProcessAuthority.start(dataDir);
    admin = authority.admin();
    anonymous = FaultTokenServiceGrpc.newBlockingStub(authority.channel());
  }

  @AfterEach
  void stop() {
    authority.close();
  }

  static String codeOf(FaultToken token) {
    String path = URI.create(token.getShortLink()).getPath();
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private String resolve(String code) {
    return anonymous.resolveShareLink(ResolveShareLinkRequest.newBuilder().setCode(code).build()).getLocation();
  }

  @Test
  void anActiveLinkLeadsToTheDashboardWithTheJwtWithoutACredential() {
    FaultToken token = admin.generateFaultToken(60);
    assertThat(token.getShortLink()).matches("http://localhost:8080/s/[0-9A-Za-z]{16}");

    assertThat(resolve(codeOf(token)))
        .isEqualTo("https://dashboard.example.com/faults#token=" + token.getToken())
        .isEqualTo(ServerConfig.DEFAULT_SHARE_LINK_TARGET.replace("{token}", token.getToken()));
    // any credential sent along is ignored, even a bad one: the link is the credential
    assertThat(authority.client("taw_garbage").resolveShareLink(codeOf(token)).getLocation()).contains(token.getToken());
    assertThat(admin.resolveShareLink(codeOf(token)).getLocation()).contains(token.getToken());
  }

  @Test
  void theRestEdgeIsToldToRedirectAndNotToCache() {
    FaultToken token = admin.generateFaultToken(60);
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    var capturing = anonymous.withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));

    String location = capturing.resolveShareLink(ResolveShareLinkRequest.newBuilder().setCode(codeOf(token)).build())
        .getLocation();
    assertThat(headers.get().get(RestEdgeHeaders.STATUS_KEY)).isEqualTo("302");
    assertThat(headers.get().get(LOCATION)).isEqualTo(location);
    assertThat(headers.get().get(CACHE_CONTROL)).isEqualTo("no-store");

    admin.revokeFaultToken(token.getId());
    assertThatThrownBy(() -> capturing.resolveShareLink(ResolveShareLinkRequest.newBuilder().setCode(codeOf(token))
        .build())).isInstanceOf(StatusRuntimeException.class);
    assertThat(trailers.get().get(RestEdgeHeaders.STATUS_KEY)).isEqualTo("410");
    assertThat(trailers.get().get(CACHE_CONTROL)).isEqualTo("no-store");
    assertThat(trailers.get().get(LOCATION)).isNull();
    assertThat(trailers.get().get(RestEdgeHeaders.ERROR_BODY_KEY)).contains("\"code\":\"resource_gone\"");

    assertThatThrownBy(() -> capturing.resolveShareLink(ResolveShareLinkRequest.newBuilder().setCode("unknown").build()))
        .isInstanceOf(StatusRuntimeException.class);
    assertThat(trailers.get().get(RestEdgeHeaders.STATUS_KEY)).isNull(); // NOT_FOUND is 404 as it stands
    assertThat(trailers.get().get(CACHE_CONTROL)).isEqualTo("no-store");
  }

  @Test
  void unknownAndMalformedCodesAreNotFoundWithoutEchoingThem() {
    String real = codeOf(admin.generateFaultToken(60));
    String nearMiss = real.substring(0, 15) + (real.endsWith("x") ? "y" : "x");
    StringBuilder otherCase = new StringBuilder(); // codes are case-sensitive
    real.chars().forEach(c -> otherCase.append((char) (Character.isUpperCase(c) ? Character.toLowerCase(c)
        : Character.toUpperCase(c))));
    assertThat(otherCase.toString()).isNotEqualTo(real);
    for (String code : List.of(nearMiss, otherCase.toString(), "", "../x", "a".repeat(65), "Ä" + real)) {
      var e = expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> resolve(code));
      assertThat(errorInfo(e).getMetadataMap()).containsExactly(java.util.Map.entry("type", "share link"));
      if (!code.isEmpty()) {
        assertThat(e.getStatus().getDescription()).doesNotContain(code);
      }
    }
  }

  @Test
  void aLinkIsGoneFromTheMillisecondItsTokenExpires() {
    FaultToken token = admin.generateFaultToken(5);
    Instant expiry = Instant.ofEpochMilli(Timestamps.toMillis(token.getExpiresAt()));

    authority.clock().set(expiry.minusMillis(1));
    assertThat(resolve(codeOf(token))).contains(token.getToken());

    authority.clock().set(expiry);
    var e = expect(Status.Code.FAILED_PRECONDITION, "RESOURCE_GONE", () -> resolve(codeOf(token)));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("type", "share link").containsEntry("status", "expired");
    assertThat(e.getStatus().getDescription()).contains("expired").doesNotContain(codeOf(token));
  }

  @Test
  void aLinkIsGoneOnceItsTokenIsRevokedAndOthersStillResolve() throws Exception {
    FaultToken token = admin.generateFaultToken(60);
    FaultToken other = admin.generateFaultToken(60);
    admin.revokeFaultToken(token.getId());
    // revocation also erases the sealed JWT: a dump plus the link yields nothing afterwards
    assertThat(new StoreProbe(dataDir).single("SELECT share_jwt_sealed FROM tokens WHERE id = ?", token.getId())).isNull();
    assertThat(new StoreProbe(dataDir).single("SELECT share_jwt_sealed FROM tokens WHERE id = ?", other.getId())).isNotNull();

    var e = expect(Status.Code.FAILED_PRECONDITION, "RESOURCE_GONE", () -> resolve(codeOf(token)));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("status", "revoked");
    assertThat(e.getStatus().getDescription()).contains("revoked");
    assertThat(resolve(codeOf(other))).contains(other.getToken());
  }

  @Test
  void aLinkSurvivesARestart() {
    FaultToken token = admin.generateFaultToken(60);
    authority.restart();
    anonymous = FaultTokenServiceGrpc.newBlockingStub(authority.channel());
    assertThat(resolve(codeOf(token))).contains(token.getToken());
  }

  @Test
  void aLinkWithoutASealedJwtIsGoneNotBroken() throws Exception {
    FaultToken token = admin.generateFaultToken(60);
    try (Connection c = new StoreProbe(dataDir).connect();
        PreparedStatement s = c.prepareStatement("UPDATE tokens SET share_jwt_sealed = NULL WHERE id = ?")) {
      s.setString(1, token.getId());
      assertThat(s.executeUpdate()).isEqualTo(1); // as a link minted before share links resolved
    }
    var e = expect(Status.Code.FAILED_PRECONDITION, "RESOURCE_GONE", () -> resolve(codeOf(token)));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("status", "unavailable");
  }

  @Test
  void theDatabaseHoldsNeitherTheJwtNorTheCodeOnlyTheirSealedAndHashedForms() throws Exception {
    admin.createRecord(Record.newBuilder().setId("rec-1").build());
    String recordToken = admin.createRecordToken("rec-1", 60L).getKey();
    FaultToken token = admin.generateFaultToken(60);
    String code = codeOf(token);
    StoreProbe store = new StoreProbe(dataDir);

    String sealed = store.single("SELECT share_jwt_sealed FROM tokens WHERE id = ?", token.getId());
    assertThat(sealed).isNotBlank();
    assertThat(store.single("SELECT short_code_hash FROM tokens WHERE id = ?", token.getId())).isEqualTo(Secrets.hash(code));
    assertThat(store.single("SELECT share_jwt_sealed FROM tokens WHERE id = ?", recordToken)).isNull();
    List<String> values = store.everyTextValue();
    assertThat(values).contains(sealed);
    assertThat(values).noneMatch(v -> v.contains(token.getToken()));
    assertThat(values).noneMatch(v -> v.contains(token.getToken().substring(token.getToken().lastIndexOf('.') + 1)));
    assertThat(values).noneMatch(v -> v.contains(code));
    assertThat(resolve(code)).contains(token.getToken()); // yet the link still resolves
  }

  @Test
  void theTargetIsConfigurable(@TempDir Path otherDir) throws Exception {
    String name = InProcessServerBuilder.generateName();
    TokenAuthorityServer server = new TokenAuthorityServer(TestStores.config(otherDir).withHttpPort(0)
        .withShareLinkTarget("https://faults.acme.test/embed?jwt={token}&theme=dark"), new MutableClock(Instant.now()))
        .start(InProcessServerBuilder.forName(name).directExecutor());
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      TokenAuthorityClient otherAdmin = new TokenAuthorityClient(channel,
          Credentials.bearer(Files.readString(server.bootstrapFile()).trim()));
      FaultToken token = otherAdmin.generateFaultToken(60);
      assertThat(otherAdmin.resolveShareLink(codeOf(token)).getLocation())
          .isEqualTo("https://faults.acme.test/embed?jwt=" + token.getToken() + "&theme=dark");
    } finally {
      channel.shutdownNow();
      server.stop();
    }
  }

  @Test
  void aTargetMustBeAnAbsoluteHttpUrlWithThePlaceholder() {
    ServerConfig defaults = TestStores.config(dataDir);
    for (String bad : new String[] {"https://dash.example.com/faults", "ftp://dash.example.com/{token}",
        "/faults#token={token}", "https://dash.example.com/a b#{token}", "https://dash.example.com/ä#{token}",
        "https:///{token}", null}) {
      assertThatThrownBy(() -> defaults.withShareLinkTarget(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(defaults.withShareLinkTarget("http://localhost:3000/#t={token}").shareLinkTarget())
        .isEqualTo("http://localhost:3000/#t={token}");
  }
}
