package dev.tokenauthority.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.testing.MutableClock;
import dev.tokenauthority.server.testing.TestStores;
import io.grpc.inprocess.InProcessServerBuilder;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /v1/audit-events through the embedded gateway over real HTTP: the same contract as over gRPC. */
class AuditRestTest {
  @TempDir Path dataDir;
  MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  TokenAuthorityServer server;
  HttpClient http = HttpClient.newHttpClient();
  String admin;
  int names;

  @BeforeEach
  void start() throws Exception {
    server = new TokenAuthorityServer(TestStores.config(dataDir).withHttpPort(ServerConfig.ANY_FREE_PORT), clock)
        .start(InProcessServerBuilder.forName(InProcessServerBuilder.generateName()));
    admin = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
  }

  HttpRequest.Builder to(String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + pathAndQuery));
  }

  HttpResponse<String> get(String pathAndQuery, String bearer) throws Exception {
    return http.send(to(pathAndQuery).header("Authorization", "Bearer " + bearer).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  JsonObject mint(String bearer, String... headers) throws Exception {
    HttpRequest.Builder request = to("/tokens").header("Authorization", "Bearer " + bearer)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"t-" + (++names) + "\", \"scopes\": [\"tokens:read\"]}"));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  static JsonObject json(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** Every event {@code query} selects, following nextPageToken. */
  List<JsonObject> all(String query, String bearer) throws Exception {
    List<JsonObject> events = new ArrayList<>();
    String token = "";
    do {
      JsonObject page = json(get("/v1/audit-events?" + query + (token.isEmpty() ? "" : "&page_token=" + query(token)),
          bearer), 200);
      page.getAsJsonArray("auditEvents").forEach(e -> events.add(e.getAsJsonObject()));
      token = page.get("nextPageToken").getAsString();
      assertThat(events.size()).as("pages end").isLessThan(1_000);
    } while (!token.isEmpty());
    return events;
  }

  static List<String> field(List<JsonObject> events, String name) {
    return events.stream().map(e -> e.get(name).getAsString()).toList();
  }

  /** The field names of the BadRequest violations of a google.rpc.Status body. */
  static List<String> violatedFields(JsonObject status) {
    List<String> fields = new ArrayList<>();
    for (JsonElement detail : status.getAsJsonArray("details")) {
      if (detail.getAsJsonObject().get("@type").getAsString().endsWith("google.rpc.BadRequest")) {
        detail.getAsJsonObject().getAsJsonArray("fieldViolations")
            .forEach(v -> fields.add(v.getAsJsonObject().get("field").getAsString()));
      }
    }
    return fields;
  }

  @Test
  void listsPageByPageAndFiltersByActionAndTimeWithQueryParameters() throws Exception {
    String first = mint(admin).get("id").getAsString();
    String second = mint(admin).get("id").getAsString();
    clock.advance(Duration.ofSeconds(5));
    Instant later = clock.instant();
    String third = mint(admin).get("id").getAsString();
    String fourth = mint(admin).get("id").getAsString();

    List<JsonObject> mints = all("action=token.mint&page_size=1", admin);
    assertThat(field(mints, "targetId")).doesNotHaveDuplicates().hasSize(5).contains(first, second, third, fourth);
    JsonObject event = mints.get(0);
    assertThat(event.get("id").getAsString()).matches("aud_[a-z0-9]{24}");
    assertThat(event.get("action").getAsString()).isEqualTo("token.mint");
    assertThat(event.get("outcome").getAsString()).isEqualTo("SUCCESS");
    assertThat(event.get("details").getAsString()).isEqualTo("kind=WORKSPACE");
    assertThat(event.get("eventTime").getAsString()).isEqualTo(later.toString());
    assertThat(event.get("tenantId").getAsString()).startsWith("ten_");

    assertThat(field(all("start_time=" + query(later.toString()) + "&page_size=1", admin), "targetId"))
        .containsExactlyInAnyOrder(third, fourth);
    assertThat(field(all("end_time=" + later + "&action=token.mint", admin), "targetId"))
        .hasSize(3).contains(first, second);
    String tenant = event.get("tenantId").getAsString();
    assertThat(all("tenant_id=" + tenant + "&action=token.mint", admin)).hasSize(5);
  }

  @Test
  void theClientAddressIsTheHttpClientsAsTheGatewayForwardsIt() throws Exception {
    String direct = mint(admin).get("id").getAsString();
    // the loopback HTTP client is trusted as a proxy, so the entry it sent is the client
    String proxied = mint(admin, "X-Forwarded-For", "198.51.100.7").get("id").getAsString();
    assertThat(http.send(to("/tokens").header("Authorization", "Bearer garbage").header("Content-Type",
        "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);

    List<JsonObject> mints = all("action=token.mint", admin);
    assertThat(mints.stream().filter(e -> e.get("targetId").getAsString().equals(direct)))
        .extracting(e -> e.get("clientAddress").getAsString()).containsExactly("127.0.0.1");
    assertThat(mints.stream().filter(e -> e.get("targetId").getAsString().equals(proxied)))
        .extracting(e -> e.get("clientAddress").getAsString()).containsExactly("198.51.100.7");
    List<JsonObject> failures = all("action=auth.failure", admin);
    assertThat(field(failures, "clientAddress")).containsExactly("127.0.0.1");
    assertThat(field(failures, "reason")).containsExactly("CREDENTIAL_INVALID");
    assertThat(field(failures, "outcome")).containsExactly("FAILURE");
  }

  @Test
  void badParametersAreInvalidArgumentNamingTheFieldAndOtherTenantsAreNotFound() throws Exception {
    assertThat(violatedFields(json(get("/v1/audit-events?page_size=-1", admin), 400))).containsExactly("page_size");
    assertThat(violatedFields(json(get("/v1/audit-events?page_size=501", admin), 400))).containsExactly("page_size");
    assertThat(violatedFields(json(get("/v1/audit-events?page_token=zzz", admin), 400))).containsExactly("page_token");
    assertThat(violatedFields(json(get("/v1/audit-events?action=nope", admin), 400))).containsExactly("action");
    String t = query(clock.instant().toString());
    assertThat(violatedFields(json(get("/v1/audit-events?start_time=" + t + "&end_time=" + t, admin), 400)))
        .containsExactly("end_time");
    // what the edge cannot transcode never reaches the server, and says which parameter it was
    assertThat(json(get("/v1/audit-events?start_time=yesterday", admin), 400).get("message").getAsString())
        .contains("start_time");
    assertThat(json(get("/v1/audit-events?page_size=lots", admin), 400).get("message").getAsString())
        .contains("page_size");
    assertThat(get("/v1/audit-events?surprise=1", admin).statusCode()).isEqualTo(400);
    assertThat(http.send(to("/v1/audit-events").GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(401);

    JsonObject globex = json(http.send(to("/v1/tenants").header("Authorization", "Bearer " + admin)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            "{\"tenant\": {\"name\": \"Globex\"}, \"adminEmail\": \"owner@globex.example\"}")).build(),
        HttpResponse.BodyHandlers.ofString()), 200);
    String owner = globex.getAsJsonObject("adminToken").get("token").getAsString();
    String globexId = globex.getAsJsonObject("tenant").get("id").getAsString();
    String home = all("action=tenant.create", admin).stream().map(e -> e.get("tenantId").getAsString())
        .filter(id -> !id.equals(globexId)).findFirst().orElseThrow();
    assertThat(get("/v1/audit-events?tenant_id=" + home, owner).statusCode()).isEqualTo(404);
    assertThat(field(all("page_size=2", owner), "tenantId")).hasSize(3).containsOnly(globexId);
    String reader = mint(owner).get("token").getAsString();
    assertThat(get("/v1/audit-events", reader).statusCode()).isEqualTo(403);
  }
}
