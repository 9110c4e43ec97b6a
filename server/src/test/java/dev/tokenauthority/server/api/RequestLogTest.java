package dev.tokenauthority.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.Logs;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.server.testing.LogCapture;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.IntrospectTokenResponse;
import dev.tokenauthority.v1.WorkspaceTokenServiceGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The request log: one line per call on {@value RequestLogInterceptor#LOGGER}, with method,
 * code, latency, tenant, principal, transport and peer; refused calls too; never a secret.
 */
class RequestLogTest {
  private static final String CREATE = WorkspaceTokenServiceGrpc.getCreateWorkspaceTokenMethod().getFullMethodName();
  private static final String BAD_CREDENTIAL = "taw_presented-but-never-issued-0123456789abcdef";

  @TempDir Path dataDir;
  InProcessAuthority authority;
  LogCapture requests;
  LogCapture everything;

  @BeforeEach
  void start() {
    authority = InProcessAuthority.start(dataDir, config -> config.withHttpPort(ServerConfig.ANY_FREE_PORT));
    everything = LogCapture.root(Level.ALL);
    requests = LogCapture.of(RequestLogInterceptor.LOGGER);
  }

  @AfterEach
  void stop() {
    requests.close();
    everything.close();
    authority.close();
  }

  @Test
  void aMintIsOneLineWithMethodCodeLatencyTenantAndPrincipal() {
    TokenAuthorityClient admin = authority.admin();
    IntrospectTokenResponse self = admin.introspectToken(authority.adminSecret());
    String minted = admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName("ws").addScopes("tokens:read").build()).getToken();

    List<ILoggingEvent> mints = callsOf(CREATE);
    assertThat(mints).hasSize(1);
    ILoggingEvent mint = mints.get(0);
    assertThat(mint.getLevel()).isEqualTo(Level.INFO);
    Map<String, Object> fields = fields(mint);
    assertThat(fields).containsEntry("method", CREATE).containsEntry("code", "OK")
        .containsEntry("tenant", self.getTenantId()).containsEntry("principal", self.getJti())
        .containsEntry("transport", "grpc").containsEntry("peer", "in-process");
    assertThat(self.getTenantId()).isNotBlank();
    assertThat(self.getJti()).isNotBlank();
    assertThat((Double) fields.get("latency_ms")).isGreaterThanOrEqualTo(0.0);
    assertThat(fields.keySet()).containsExactly("method", "code", "latency_ms", "tenant", "principal", "transport", "peer");
    // the introspection and the mint: one line each, no more
    assertThat(requests.events()).hasSize(2);
    assertNoSecretIn(minted, authority.adminSecret());
  }

  @Test
  void refusedCallsAreLoggedAsUnauthenticated() {
    TokenAuthorityClient anonymous = new TokenAuthorityClient(authority.channel(), null);
    CreateWorkspaceTokenRequest request = CreateWorkspaceTokenRequest.newBuilder().setName("ws").build();
    assertThatThrownBy(() -> anonymous.createWorkspaceToken(request)).isNotNull();
    assertThatThrownBy(() -> authority.client(BAD_CREDENTIAL).createWorkspaceToken(request)).isNotNull();

    List<ILoggingEvent> calls = callsOf(CREATE);
    assertThat(calls).hasSize(2).allSatisfy(call -> assertThat(fields(call))
        .containsEntry("code", "UNAUTHENTICATED").containsEntry("tenant", "-").containsEntry("principal", "-"));
    assertNoSecretIn(BAD_CREDENTIAL, authority.adminSecret());
  }

  @Test
  void aRestCallSaysTransportRest() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + authority.httpPort() + "/tokens"))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + authority.adminSecret())
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"rest\", \"scopes\": [\"tokens:read\"]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isBetween(200, 201);
    String minted = JsonParser.parseString(response.body()).getAsJsonObject().get("token").getAsString();

    assertThat(callsOf(CREATE)).singleElement().satisfies(call -> assertThat(fields(call))
        .containsEntry("code", "OK").containsEntry("transport", "rest").containsEntry("peer", "127.0.0.1"));
    assertNoSecretIn(minted, authority.adminSecret());
  }

  @Test
  void logbackXmlPrintsTheFieldsAsKeyValueTextOrAsJsonFields() throws Exception {
    TokenAuthorityClient admin = authority.admin();
    IntrospectTokenResponse self = admin.introspectToken(authority.adminSecret());
    admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("ws").addScopes("tokens:read").build());
    ILoggingEvent mint = callsOf(CREATE).get(0);

    String text = encode(mint);
    assertThat(text).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO dev\\.tokenauthority\\.request - call "
        + "method=" + CREATE.replace(".", "\\.") + " code=OK latency_ms=\\d+\\.\\d+ tenant=" + self.getTenantId()
        + " principal=" + self.getJti() + " transport=grpc peer=in-process\\R");

    try {
      Logs.configure(Logs.LogLevel.INFO, Logs.Format.JSON);
      String line = encode(mint);
      assertThat(line.strip()).doesNotContain("\n");
      JsonObject json = JsonParser.parseString(line).getAsJsonObject();
      assertThat(json.get("logger_name").getAsString()).isEqualTo(RequestLogInterceptor.LOGGER);
      assertThat(json.get("level").getAsString()).isEqualTo("INFO");
      assertThat(json.get("method").getAsString()).isEqualTo(CREATE);
      assertThat(json.get("code").getAsString()).isEqualTo("OK");
      assertThat(json.get("tenant").getAsString()).isEqualTo(self.getTenantId());
      assertThat(json.get("principal").getAsString()).isEqualTo(self.getJti());
      assertThat(json.get("transport").getAsString()).isEqualTo("grpc");
      assertThat(json.get("latency_ms").getAsJsonPrimitive().isNumber()).isTrue();
    } finally {
      Logs.configure(Logs.LogLevel.INFO, Logs.Format.TEXT);
    }
  }

  /** Formats {@code event} with the encoder of logback.xml's console appender, as configured now. */
  private static String encode(ILoggingEvent event) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    var appender = (OutputStreamAppender<ILoggingEvent>) context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
        .getAppender(Logs.CONSOLE_APPENDER);
    assertThat(appender).as("logback.xml's console appender").isNotNull();
    return new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
  }

  private List<ILoggingEvent> callsOf(String method) {
    return requests.events().stream().filter(e -> method.equals(fields(e).get("method"))).toList();
  }

  private static Map<String, Object> fields(ILoggingEvent event) {
    Map<String, Object> fields = new LinkedHashMap<>();
    if (event.getKeyValuePairs() != null) {
      event.getKeyValuePairs().forEach(pair -> fields.put(pair.key, pair.value));
    }
    return fields;
  }

  private void assertNoSecretIn(String... secrets) {
    String log = everything.text();
    assertThat(log).contains(RequestLogInterceptor.LOGGER);
    for (String secret : secrets) {
      assertThat(log).doesNotContain(secret);
    }
  }
}
