package dev.tokenauthority.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.client.UnauthenticatedException;
import dev.tokenauthority.client.UnavailableException;
import dev.tokenauthority.server.Main;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.ServerConfig.TlsClientAuth;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.api.ClientCertificates;
import dev.tokenauthority.server.api.RequestLogInterceptor;
import dev.tokenauthority.server.testing.AuditPages;
import dev.tokenauthority.server.testing.LogCapture;
import dev.tokenauthority.server.testing.TestCertificates;
import dev.tokenauthority.server.testing.TestCertificates.Issued;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.AuditEvent;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.TlsChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS and mutual TLS on a real server (Netty gRPC port + the embedded REST gateway), with
 * certificates made at run time: what works and what is refused, over gRPC and over HTTPS
 * alike, and the client certificate's identity in the audit log and the request log.
 */
class TlsTest {
  @TempDir static Path certs;
  @TempDir Path dataDir;
  static TestCertificates ca;
  static TestCertificates otherCa;
  static Issued serverCert;
  static Issued billing;
  static Issued stranger;

  private final List<ManagedChannel> channels = new ArrayList<>();
  private TokenAuthorityServer server;
  private String admin;

  @BeforeAll
  static void certificates() {
    ca = TestCertificates.newCa("tokens", certs);
    otherCa = TestCertificates.newCa("other", certs.resolve("other"));
    serverCert = ca.server("server");
    billing = ca.client("billing", "spiffe://example.org/billing");
    stranger = otherCa.client("stranger", null); // a client certificate the server's client CA did not sign
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.stop();
    }
  }

  private void start(TlsClientAuth clientAuth) throws Exception {
    ServerConfig config = TestStores.config(dataDir).withGrpcPort(0).withHttpPort(ServerConfig.ANY_FREE_PORT)
        .withMetricsPort(0).withTls(serverCert.certFile(), serverCert.keyFile());
    if (clientAuth != TlsClientAuth.NONE) {
      config = config.withTlsClientAuth(clientAuth, ca.caFile());
    }
    server = new TokenAuthorityServer(config, Clock.systemUTC()).start(Main.grpcServerBuilder(0));
    admin = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
  }

  /** A gRPC client over TLS trusting the test CA, presenting {@code client} if not null. */
  private TokenAuthorityClient grpc(Issued client) throws IOException {
    ManagedChannel channel = TokenAuthorityClient.tlsChannelBuilder("localhost:" + server.port(), ca.caFile(),
        client == null ? null : client.certFile(), client == null ? null : client.keyFile()).build();
    channels.add(channel);
    return new TokenAuthorityClient(channel, Credentials.bearer(admin), Duration.ofSeconds(10));
  }

  /**
   * A gRPC client over TLS trusting the test CA that presents {@code client} whatever CAs the
   * server asks for (a client's default key manager sends nothing the server's CAs did not sign).
   */
  private TokenAuthorityClient grpcAlwaysPresenting(Issued client) {
    ManagedChannel channel = Grpc.newChannelBuilder("localhost:" + server.port(), TlsChannelCredentials.newBuilder()
        .trustManager(ca.trustManagers()).keyManager(TestCertificates.keyManager(client)).build()).build();
    channels.add(channel);
    return new TokenAuthorityClient(channel, Credentials.bearer(admin), Duration.ofSeconds(10));
  }

  private String mintOverGrpc(TokenAuthorityClient client, String name) {
    return client.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName(name)
        .addScopes("tokens:read").build()).getId();
  }

  /** POST /tokens over https (or http), presenting {@code sslContext}'s client certificate if it has one. */
  private HttpResponse<String> mintOverRest(String scheme, SSLContext sslContext, String name, String... headers)
      throws IOException, InterruptedException {
    return mintOverRest(scheme, sslContext, Duration.ofSeconds(10), name, headers);
  }

  private HttpResponse<String> mintOverRest(String scheme, SSLContext sslContext, Duration timeout, String name,
      String... headers) throws IOException, InterruptedException {
    HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (sslContext != null) {
      http.sslContext(sslContext);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + server.httpPort() + "/tokens"))
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"" + name + "\", \"scopes\": [\"tokens:read\"]}"));
    boolean ownCredential = false;
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
      ownCredential |= headers[i].equalsIgnoreCase("Authorization");
    }
    if (!ownCredential) {
      request.header("Authorization", "Bearer " + admin);
    }
    return http.build().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String idOf(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return JsonParser.parseString(response.body()).getAsJsonObject().get("id").getAsString();
  }

  /** The details of the audit event of minting {@code tokenId}, read over gRPC. */
  private String mintDetails(TokenAuthorityClient client, String tokenId) {
    return AuditPages.all(client, "token.mint").stream().filter(e -> e.getTargetId().equals(tokenId))
        .map(AuditEvent::getDetails).findFirst().orElseThrow();
  }

  /** The details of the audit event of minting {@code tokenId}, read over HTTPS (GET /v1/audit-events). */
  private String mintDetailsOverRest(SSLContext sslContext, String tokenId) throws Exception {
    {
      HttpClient client = HttpClient.newBuilder().sslContext(sslContext).build();
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
              + server.httpPort() + "/v1/audit-events?action=token.mint&page_size=500"))
          .header("Authorization", "Bearer " + admin).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      for (var event : JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("auditEvents")) {
        JsonObject object = event.getAsJsonObject();
        if (object.get("targetId").getAsString().equals(tokenId)) {
          return object.has("details") ? object.get("details").getAsString() : "";
        }
      }
    }
    throw new AssertionError("no token.mint event for " + tokenId);
  }

  private static String thumbprint(Issued certificate) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.certificate().getEncoded()));
  }

  @Test
  void tlsServesGrpcAndHttpsOnlyAndAskesForNoClientCertificate() throws Exception {
    start(TlsClientAuth.NONE);

    String overGrpc = mintOverGrpc(grpc(null), "grpc");
    assertThat(mintDetails(grpc(null), overGrpc)).isEqualTo("kind=WORKSPACE").doesNotContain("cert_");
    String overRest = idOf(mintOverRest("https", ca.sslContext(null), "rest"));
    assertThat(mintDetailsOverRest(ca.sslContext(null), overRest)).isEqualTo("kind=WORKSPACE");

    // plaintext is refused on both ports
    ManagedChannel plaintext = ManagedChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
    channels.add(plaintext);
    assertThatThrownBy(() -> mintOverGrpc(new TokenAuthorityClient(plaintext, Credentials.bearer(admin),
        Duration.ofSeconds(5)), "plain")).isInstanceOf(UnavailableException.class);
    // (the JDK's HTTPS server reads the plaintext request as a TLS record and may wait for the rest of it:
    // the client gives up, or the connection is dropped)
    assertThatThrownBy(() -> mintOverRest("http", null, Duration.ofSeconds(2), "plain")).isInstanceOf(IOException.class);
    // a client that does not trust the server's CA refuses it
    assertThatThrownBy(() -> mintOverRest("https", otherCa.sslContext(null), "untrusted"))
        .isInstanceOf(IOException.class);
  }

  @Test
  void requireRefusesEveryConnectionWithoutAVerifiedCertificateAndAuditsTheIdentity() throws Exception {
    start(TlsClientAuth.REQUIRE);
    try (LogCapture requests = LogCapture.of(RequestLogInterceptor.LOGGER)) {
      // gRPC: no certificate, or one of another CA → no connection
      assertThatThrownBy(() -> mintOverGrpc(grpc(null), "none")).isInstanceOf(UnavailableException.class);
      assertThatThrownBy(() -> mintOverGrpc(grpc(stranger), "stranger")).isInstanceOf(UnavailableException.class);
      assertThatThrownBy(() -> mintOverGrpc(grpcAlwaysPresenting(stranger), "stranger"))
          .isInstanceOf(UnavailableException.class);
      // REST likewise
      assertThatThrownBy(() -> mintOverRest("https", ca.sslContext(null), "none")).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> mintOverRest("https", otherCa.sslContext(stranger), "stranger"))
          .isInstanceOf(IOException.class);
      // a stranger's certificate, but trusting our CA for the server: still refused
      SSLContext strangerTrustingUs = TestCertificates.sslContextWith(ca, stranger);
      assertThatThrownBy(() -> mintOverRest("https", strangerTrustingUs, "stranger2")).isInstanceOf(IOException.class);
      assertThat(requests.events()).as("refused handshakes never reach a call").isEmpty();

      TokenAuthorityClient client = grpc(billing);
      String overGrpc = mintOverGrpc(client, "grpc");
      String overRest = idOf(mintOverRest("https", ca.sslContext(billing), "rest"));

      String expected = "kind=WORKSPACE cert_sha256=" + thumbprint(billing)
          + " cert_subject=\"CN=billing,O=Token Authority tests\" cert_uri=spiffe://example.org/billing";
      assertThat(mintDetails(client, overGrpc)).isEqualTo(expected);
      assertThat(mintDetails(client, overRest)).isEqualTo(expected);
      assertThat(mintDetailsOverRest(ca.sslContext(billing), overGrpc)).isEqualTo(expected);
      assertThat(mintDetailsOverRest(ca.sslContext(billing), overRest)).isEqualTo(expected);

      // a refused credential from a verified certificate: the auth.failure row names the certificate
      assertThatThrownBy(() -> mintOverGrpc(client.withCredentials(Credentials.bearer("taw_wrong")), "bad"))
          .isInstanceOf(UnauthenticatedException.class);
      assertThat(mintOverRest("https", ca.sslContext(billing), "bad", "Authorization", "Bearer taw_wrong").statusCode())
          .isEqualTo(401);
      assertThat(AuditPages.all(client, "auth.failure")).hasSize(2).allSatisfy(failure -> assertThat(failure.getDetails())
          .endsWith(" cert_sha256=" + thumbprint(billing)
              + " cert_subject=\"CN=billing,O=Token Authority tests\" cert_uri=spiffe://example.org/billing"));

      List<ILoggingEvent> mints = requests.events().stream()
          .filter(e -> e.getKeyValuePairs().stream().anyMatch(p -> p.value.toString().endsWith("CreateWorkspaceToken")))
          .toList();
      // two mints and two refused credentials, each line with the certificate it came with
      assertThat(mints).hasSize(4).allSatisfy(line -> assertThat(line.getKeyValuePairs())
          .anySatisfy(p -> assertThat(p.key + "=" + p.value).isEqualTo("client_cert=" + thumbprint(billing)))
          .anySatisfy(p -> assertThat(p.key + "=" + p.value)
              .isEqualTo("client_subject=CN=billing,O=Token Authority tests")));
      assertThat(mints).extracting(e -> e.getKeyValuePairs().stream().filter(p -> p.key.equals("transport"))
          .map(p -> p.value).findFirst().orElseThrow()).containsExactlyInAnyOrder("grpc", "rest", "grpc", "rest");
    }
  }

  @Test
  void optionalAcceptsCallersWithAndWithoutACertificateButNotAnUnverifiedOne() throws Exception {
    start(TlsClientAuth.OPTIONAL);
    TokenAuthorityClient anonymous = grpc(null);
    String withoutGrpc = mintOverGrpc(anonymous, "grpc-none");
    String withGrpc = mintOverGrpc(grpc(billing), "grpc-cert");
    String withoutRest = idOf(mintOverRest("https", ca.sslContext(null), "rest-none"));
    String withRest = idOf(mintOverRest("https", ca.sslContext(billing), "rest-cert"));

    assertThat(mintDetails(anonymous, withoutGrpc)).isEqualTo("kind=WORKSPACE");
    assertThat(mintDetails(anonymous, withoutRest)).isEqualTo("kind=WORKSPACE");
    assertThat(mintDetails(anonymous, withGrpc)).contains("cert_sha256=" + thumbprint(billing));
    assertThat(mintDetails(anonymous, withRest)).contains("cert_sha256=" + thumbprint(billing));

    // a certificate that is sent must verify
    assertThatThrownBy(() -> mintOverGrpc(grpcAlwaysPresenting(stranger), "stranger"))
        .isInstanceOf(UnavailableException.class);
    assertThatThrownBy(() -> mintOverRest("https", TestCertificates.sslContextWith(ca, stranger), "stranger"))
        .isInstanceOf(IOException.class);
  }

  @Test
  void tls13IsPreferredAndTls12Accepted() throws Exception {
    // (TLS 1.1 and older cannot be tried from here: this JDK's clients refuse them by themselves,
    // so a refusal would prove nothing about the server; ServerTls.PROTOCOLS names 1.3 and 1.2 only.)
    start(TlsClientAuth.NONE);
    URI jwks = URI.create("https://127.0.0.1:" + server.httpPort() + "/.well-known/jwks.json");
    assertThat(negotiated(jwks, null)).isEqualTo("TLSv1.3");
    assertThat(negotiated(jwks, "TLSv1.2")).isEqualTo("TLSv1.2");
    // the gRPC port: a raw TLS client (the JDK's) restricted to one version
    assertThat(handshake(server.port(), "TLSv1.3")).isEqualTo("TLSv1.3");
    assertThat(handshake(server.port(), "TLSv1.2")).isEqualTo("TLSv1.2");
  }

  /** The protocol an HTTPS request to {@code uri} negotiates, offering only {@code protocol} (null: the client's defaults). */
  private String negotiated(URI uri, String protocol) throws Exception {
    HttpClient.Builder builder = HttpClient.newBuilder().sslContext(ca.sslContext(null));
    if (protocol != null) {
      javax.net.ssl.SSLParameters parameters = ca.sslContext(null).getDefaultSSLParameters();
      parameters.setProtocols(new String[] {protocol});
      builder.sslParameters(parameters);
    }
    HttpResponse<String> response = builder.build().send(HttpRequest.newBuilder(uri).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.sslSession().orElseThrow().getProtocol();
  }

  /** The protocol a TLS handshake with the gRPC port negotiates, offering only {@code protocol} and ALPN h2. */
  private String handshake(int port, String protocol) throws Exception {
    SSLContext context = ca.sslContext(null);
    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
      parameters.setProtocols(new String[] {protocol});
      parameters.setApplicationProtocols(new String[] {"h2"});
      socket.setSSLParameters(parameters);
      socket.setSoTimeout(5000);
      socket.startHandshake();
      assertThat(socket.getApplicationProtocol()).isEqualTo("h2");
      return socket.getSession().getProtocol();
    }
  }

  /**
   * Figures, not assertions (a slow machine must not fail the build): a new mutual-TLS gRPC
   * channel's first call (handshake included), then sequential calls on it, and the same over
   * HTTPS with keep-alive. GetJwks is public and cheap, so the figures are mostly transport.
   * Written to target/tls-figures.txt and the test output.
   */
  @Test
  void measuresHandshakeAndCallLatencyOverMutualTls() throws Exception {
    start(TlsClientAuth.REQUIRE);
    int calls = 200;
    long started = System.nanoTime();
    TokenAuthorityClient client = grpc(billing);
    client.getJwks();
    double firstGrpcMillis = (System.nanoTime() - started) / 1e6;
    long[] grpcNanos = new long[calls];
    for (int i = 0; i < calls; i++) {
      long t = System.nanoTime();
      client.getJwks();
      grpcNanos[i] = System.nanoTime() - t;
    }
    HttpClient https = HttpClient.newBuilder().sslContext(ca.sslContext(billing)).build();
    HttpRequest jwks = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.httpPort()
        + "/.well-known/jwks.json")).GET().build();
    started = System.nanoTime();
    assertThat(https.send(jwks, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    double firstRestMillis = (System.nanoTime() - started) / 1e6;
    long[] restNanos = new long[calls];
    for (int i = 0; i < calls; i++) {
      long t = System.nanoTime();
      assertThat(https.send(jwks, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      restNanos[i] = System.nanoTime() - t;
    }
    String figures = String.format(java.util.Locale.ROOT,
        "mutual TLS (EC P-256, TLS 1.3), %d sequential GetJwks calls after the first, on this machine:%n"
            + "gRPC  first call on a new channel (handshake included): %.1f ms; then median %.2f ms, p99 %.2f ms%n"
            + "HTTPS first request on a new client (handshake included): %.1f ms; then median %.2f ms, p99 %.2f ms%n",
        calls, firstGrpcMillis, percentile(grpcNanos, 50), percentile(grpcNanos, 99), firstRestMillis,
        percentile(restNanos, 50), percentile(restNanos, 99));
    System.out.print(figures);
    Files.writeString(Path.of("target", "tls-figures.txt"), figures, StandardCharsets.UTF_8);
  }

  private static double percentile(long[] nanos, int percent) {
    long[] sorted = nanos.clone();
    java.util.Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percent / 100.0 * sorted.length) - 1)] / 1e6;
  }

  @Test
  void aCallerCannotClaimACertificateThroughTheForwardingHeader() throws Exception {
    start(TlsClientAuth.OPTIONAL);
    byte[] der = billing.certificate().getEncoded();
    // over gRPC, as metadata: only the gateway's in-process hop is believed
    Metadata forged = new Metadata();
    forged.put(ClientCertificates.FORWARDED_CERTIFICATE, der);
    TokenAuthorityClient plain = grpc(null);
    ManagedChannel channel = channels.get(channels.size() - 1);
    TokenAuthorityClient forging = new TokenAuthorityClient(
        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(forged)),
        Credentials.bearer(admin), Duration.ofSeconds(10));
    String overGrpc = mintOverGrpc(forging, "forged-grpc");
    // over HTTPS, as a request header: the gateway never copies it
    String overRest = idOf(mintOverRest("https", ca.sslContext(null), "forged-rest",
        ClientCertificates.FORWARDED_CERTIFICATE.name(), Base64.getEncoder().encodeToString(der)));

    assertThat(mintDetails(plain, overGrpc)).isEqualTo("kind=WORKSPACE");
    assertThat(mintDetails(plain, overRest)).isEqualTo("kind=WORKSPACE");
  }
}
