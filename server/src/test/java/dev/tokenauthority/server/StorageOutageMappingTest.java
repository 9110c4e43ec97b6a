package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.ErrorInfo;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.server.api.ErrorMapper;
import dev.tokenauthority.server.core.Failure;
import dev.tokenauthority.server.store.Database;
import dev.tokenauthority.server.testing.Errors;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.FaultToken;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A store outage is UNAVAILABLE with reason STORAGE_UNAVAILABLE (HTTP 503 at the REST edge),
 * never INTERNAL and never a stack trace; other database errors keep their meaning.
 */
class StorageOutageMappingTest {

  static Stream<Throwable> outages() {
    return Stream.of(
        new ConnectionException(new SQLException("HikariDataSource has been closed.")),
        new SQLTransientConnectionException("token-authority - Connection is not available, request timed out after 2001ms"),
        new SQLNonTransientConnectionException("Connection refused", "08001"),
        new SQLException("An I/O error occurred while sending to the backend.", "08006"),
        new SQLException("This connection has been closed.", "08003"),
        new SQLException("FATAL: terminating connection due to administrator command", "57P01"),
        new SQLException("FATAL: terminating connection due to crash of another server process", "57P02"),
        new SQLException("FATAL: the database system is starting up", "57P03"),
        // as JDBI wraps a statement that failed on a broken connection
        new UnableToExecuteStatementException(
            new SQLException("FATAL: terminating connection due to administrator command", "57P01"), null),
        new IllegalStateException("wrapped", new UnableToExecuteStatementException(
            new SQLException("An I/O error occurred", "08006"), null)));
  }

  @ParameterizedTest
  @MethodSource("outages")
  void anOutageIsUnavailableWithoutInternals(Throwable outage) {
    assertThat(Database.isUnavailable(outage)).isTrue();
    StatusException status = ErrorMapper.toStatus(outage);
    assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    com.google.rpc.Status rich = StatusProto.fromStatusAndTrailers(status.getStatus(), status.getTrailers());
    assertThat(rich.getMessage()).isEqualTo("The token store is unavailable; retry later.");
    assertThat(rich.getDetailsList()).hasSize(1);
    ErrorInfo info = unpackErrorInfo(rich);
    assertThat(info.getReason()).isEqualTo("STORAGE_UNAVAILABLE");
    assertThat(info.getDomain()).isEqualTo(ErrorMapper.DOMAIN);
    assertThat(info.getMetadataMap()).isEmpty();
  }

  static Stream<Throwable> notOutages() {
    return Stream.of(
        new UnableToExecuteStatementException(new SQLException("duplicate key value", "23505"), null),
        new SQLException("relation \"tokens\" does not exist", "42P01"),
        new SQLException("canceling statement due to statement timeout", "57014"),
        new SQLException("no state"),
        new IllegalStateException("a bug"));
  }

  @ParameterizedTest
  @MethodSource("notOutages")
  void otherDatabaseErrorsAreNotOutages(Throwable error) {
    assertThat(Database.isUnavailable(error)).isFalse();
    assertThat(ErrorMapper.toStatus(error).getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
  }

  @Test
  void aUniqueViolationIsStillAUniqueViolation() {
    Throwable violation = new UnableToExecuteStatementException(new SQLException("duplicate key", "23505"), null);
    assertThat(Database.isUniqueViolation(violation)).isTrue();
    assertThat(Database.isUnavailable(violation)).isFalse();
    assertThat(ErrorMapper.toStatus(Failure.alreadyExists("token", "name", "x")).getStatus().getCode())
        .isEqualTo(Status.Code.ALREADY_EXISTS);
  }

  @Test
  void theDescriptionNamesTheDriversWordsNotTheStatement() {
    Throwable e = new UnableToExecuteStatementException(
        new SQLException("FATAL: terminating connection due to administrator command\nDetail: more", "57P01"),
        null);
    assertThat(Database.describe(e)).isEqualTo("SQLSTATE 57P01: FATAL: terminating connection due to administrator command");
  }

  private static ErrorInfo unpackErrorInfo(com.google.rpc.Status rich) {
    try {
      return rich.getDetails(0).unpack(ErrorInfo.class);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  /** A served authority (gRPC in-process, REST on a free port) whose database is then closed under it. */
  @TempDir Path dataDir;
  private TokenAuthorityServer server;
  private ManagedChannel channel;
  private TokenAuthorityClient admin;
  private String adminSecret;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = new TokenAuthorityServer(TestStores.config(dataDir).withHttpPort(ServerConfig.ANY_FREE_PORT)
        .withDbConnectTimeout(Duration.ofMillis(500)), Clock.systemUTC())
        .start(InProcessServerBuilder.forName(name).directExecutor());
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    adminSecret = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
    admin = new TokenAuthorityClient(channel, Credentials.bearer(adminSecret));
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.stop();
  }

  @Test
  void aServerWhoseDatabaseIsGoneAnswersUnavailableOverGrpcAndRest() throws Exception {
    FaultToken minted = admin.generateFaultToken(60);
    server.database().close(); // every later connection request fails at once

    // gRPC: a mint, an authenticated get (the credential lookup itself fails), an introspection
    expectOutage(() -> admin.generateFaultToken(60));
    expectOutage(() -> admin.getFaultToken(minted.getId()));
    expectOutage(() -> admin.introspectToken(minted.getToken()));

    // the same calls through the embedded REST gateway: 503, the outage named, nothing internal
    HttpResponse<String> mint = post("/fault/token", "{\"expire_after_minutes\": 60}");
    assertThat(mint.statusCode()).isEqualTo(503);
    assertThat(mint.body()).contains("\"service_unavailable\"").contains("The token store is unavailable");
    assertNoInternals(mint.body());

    HttpResponse<String> get = send(request("/fault/token/" + minted.getId()).GET());
    assertThat(get.statusCode()).isEqualTo(503);
    assertThat(get.body()).contains("\"service_unavailable\"");
    assertNoInternals(get.body());

    HttpResponse<String> introspect = post("/v1/tokens:introspect", "{\"token\": \"" + minted.getToken() + "\"}");
    assertThat(introspect.statusCode()).isEqualTo(503);
    assertThat(introspect.body()).contains("STORAGE_UNAVAILABLE").contains("The token store is unavailable");
    assertNoInternals(introspect.body());
  }

  @Test
  void healthTurnsNotServingOnceTheDatabaseIsGone() throws Exception {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
    server.database().close();
    long started = System.nanoTime();
    while (health.check(HealthCheckRequest.getDefaultInstance()).getStatus() != ServingStatus.NOT_SERVING) {
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
      Thread.sleep(50);
    }
    assertThat(health.check(HealthCheckRequest.newBuilder().setService("tokenauthority.v1.FaultTokenService").build())
        .getStatus()).isEqualTo(ServingStatus.NOT_SERVING);
  }

  private static void expectOutage(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    StatusRuntimeException e = Errors.expect(Status.Code.UNAVAILABLE, "STORAGE_UNAVAILABLE", call);
    assertThat(e.getStatus().getDescription()).isEqualTo("The token store is unavailable; retry later.");
  }

  private static void assertNoInternals(String body) {
    assertThat(body).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("SQL")
        .doesNotContain("Hikari").doesNotContain("jdbc:");
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
        .header("Authorization", "Bearer " + adminSecret);
  }

  private HttpResponse<String> post(String path, String json) throws Exception {
    return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
