package dev.tokenauthority.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import com.google.protobuf.util.JsonFormat;
import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.server.fuzz.CreateRpcs.Rpc;
import dev.tokenauthority.server.gateway.InMemoryGateway;
import dev.tokenauthority.v1.IntrospectTokenRequest;
import dev.tokenauthority.v1.TokenServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.lang.reflect.Method;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property tests (jqwik) over every create RPC, with random but plausible field values
 * ({@link RequestGenerator} in plausible mode: mostly what a well-behaved caller sends, one
 * value in five from the probing pools: lengths at and past the limits, unicode, empty,
 * whitespace, huge and negative numbers, past and too-late expiries, duplicated and unknown
 * scopes, unknown IDs). Each request goes over gRPC and then, as JSON, through the REST
 * gateway's HTTP path of the same RPC. For every one:
 * <ul>
 *   <li>never INTERNAL / UNKNOWN / HTTP 5xx, never a stack trace;</li>
 *   <li>a rejection of invalid input names fields that exist in the request, and gRPC and REST
 *       reject the same input with the same status and the same fields;</li>
 *   <li>an accepted request that mints a token returns one that introspects {@code active}.</li>
 * </ul>
 * The generator draws its choices from jqwik's bytes, so a failing case shrinks towards the
 * simplest request that still fails. Tries per property are bounded so the suite stays fast.
 */
class CreateRpcPropertiesTest {
  private static final int TRIES = 200;
  private static final Pattern VARIABLE = Pattern.compile("\\{([a-z_.]+)(=[^}]*)?}");
  private static FuzzServer server;
  private static Credentials admin;
  private static InMemoryGateway rest;
  private static FuzzSummary summary;

  @BeforeContainer
  static void start() {
    server = FuzzServer.start("properties");
    admin = Credentials.bearer(server.authority().adminSecret());
    try {
      rest = InMemoryGateway.over(server.authority().channel());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    summary = new FuzzSummary("CreateRpcPropertiesTest");
  }

  @AfterContainer
  static void stop() {
    if (server != null) {
      summary.write("jqwik tries=" + TRIES + " per RPC");
      rest.close();
      server.close();
    }
  }

  @Provide
  Arbitrary<byte[]> choices() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
  }

  @Property(tries = TRIES)
  void createTenant(@ForAll("choices") byte[] choices) throws Exception {
    check("CreateTenant", choices);
  }

  @Property(tries = TRIES)
  void createUser(@ForAll("choices") byte[] choices) throws Exception {
    check("CreateUser", choices);
  }

  @Property(tries = TRIES)
  void createRecord(@ForAll("choices") byte[] choices) throws Exception {
    check("CreateRecord", choices);
  }

  @Property(tries = TRIES)
  void createAccount(@ForAll("choices") byte[] choices) throws Exception {
    check("CreateAccount", choices);
  }

  @Property(tries = TRIES)
  void createModule(@ForAll("choices") byte[] choices) throws Exception {
    check("CreateModule", choices);
  }

  @Property(tries = TRIES)
  void createWorkspaceToken(@ForAll("choices") byte[] choices) throws Exception {
    check("CreateWorkspaceToken", choices);
  }

  @Property(tries = TRIES)
  void createRecordToken(@ForAll("choices") byte[] choices) throws Exception {
    check("CreateRecordToken", choices);
  }

  @Property(tries = TRIES)
  void generateFaultToken(@ForAll("choices") byte[] choices) throws Exception {
    check("GenerateFaultToken", choices);
  }

  @Property(tries = TRIES)
  void createAccessToken(@ForAll("choices") byte[] choices) throws Exception {
    check("CreateAccessToken", choices);
  }

  @Property(tries = TRIES)
  void createApiToken(@ForAll("choices") byte[] choices) throws Exception {
    check("CreateApiToken", choices);
  }

  /** A create RPC added to the API without a property here fails this. */
  @Example
  void everyCreateRpcHasAProperty() {
    Set<String> properties = new HashSet<>();
    for (Method method : getClass().getDeclaredMethods()) {
      if (method.isAnnotationPresent(Property.class)) {
        properties.add(method.getName());
      }
    }
    List<String> rpcs = CreateRpcs.all().stream()
        .map(rpc -> Character.toLowerCase(rpc.method().getName().charAt(0)) + rpc.method().getName().substring(1))
        .toList();
    assertThat(rpcs).hasSize(10);
    assertThat(properties).containsExactlyInAnyOrderElementsOf(rpcs);
  }

  private void check(String rpcName, byte[] choices) throws Exception {
    Rpc rpc = CreateRpcs.named(rpcName);
    DynamicMessage request = new RequestGenerator(Entropy.of(choices), true, Instant.now(), true)
        .message(rpc.requestType());
    // what the request says, printed and raw (so an echo of the caller's own text is no leak)
    String text = rpc.name() + " " + TextFormat.printer().emittingSingleLine(true).printToString(request) + "\n"
        + Outcomes.rawText(request);

    // gRPC
    Status.Code grpcCode = Status.Code.OK;
    List<String> grpcFields = List.of();
    try {
      DynamicMessage response = server.bounded(() -> ClientCalls.blockingUnaryCall(server.authority().channel(),
          rpc.grpc(), CallOptions.DEFAULT.withCallCredentials(admin), request), text);
      assertActive(secretIn(JsonParser.parseString(JsonFormat.printer().print(response)).getAsJsonObject()), text);
      summary.count(rpcName + ":grpc:OK", false);
    } catch (StatusRuntimeException e) {
      grpcCode = e.getStatus().getCode();
      grpcFields = Outcomes.checkGrpcError(e, text, rpc.requestType(), rpc.bodyType());
      summary.count(rpcName + ":grpc:" + grpcCode, true);
    }

    // The same request over REST (generated again from the same choices: the same values but
    // fresh unique names and emails, so that it is not refused as a duplicate of the gRPC one).
    DynamicMessage again = new RequestGenerator(Entropy.of(choices), true, Instant.now(), true)
        .message(rpc.requestType());
    RestCall call = restCall(rpc, again);
    if (call == null) {
      summary.count(rpcName + ":rest:not-expressible", false);
      return;
    }
    String restText = call.method() + " " + call.target() + " " + call.body();
    InMemoryGateway.Answer response = server.bounded(() -> rest.send(call.method(), call.target(),
        Map.of("Authorization", "Bearer " + server.authority().adminSecret(), "Content-Type", "application/json"),
        call.body().getBytes(StandardCharsets.UTF_8)), restText);
    List<String> restFields = Outcomes.checkHttp(response.status(), response.body(), restText, false,
        rpc.requestType(), rpc.bodyType());
    summary.count(rpcName + ":rest:" + response.status(), response.status() >= 400);
    if (response.status() < 300) {
      assertActive(secretIn(JsonParser.parseString(response.body()).getAsJsonObject()), restText);
    }

    // One contract: the same rejection on both transports (a create may meet the row the gRPC call made: 409).
    if (grpcCode == Status.Code.OK) {
      assertThat(response.status()).as("REST after gRPC OK: %s", restText).isIn(200, 201, 409);
    } else {
      assertThat(response.status()).as("REST for gRPC %s: %s %s", grpcCode, restText, response.body())
          .isEqualTo(httpStatus(grpcCode));
      if (grpcCode == Status.Code.INVALID_ARGUMENT) {
        assertThat(withoutUniques(restFields)).as("fields over REST: %s", restText)
            .isEqualTo(withoutUniques(grpcFields));
      }
    }
  }

  /** Field paths with the generated unique IDs (map keys such as {@code new-17}) made equal. */
  private static Set<String> withoutUniques(List<String> fields) {
    Set<String> normalized = new HashSet<>();
    fields.forEach(field -> normalized.add(field.replaceAll("new-\\d+", "new-#")));
    return normalized;
  }

  /** An HTTP request: verb, raw request target (path and query), JSON body. */
  record RestCall(String method, String target, String body) {}

  /**
   * The HTTP request of {@code rpc} carrying {@code request}, or null when REST cannot say it
   * (an empty path variable: the path would have an empty segment).
   */
  private static RestCall restCall(Rpc rpc, DynamicMessage request) throws Exception {
    DynamicMessage.Builder rest = request.toBuilder();
    StringBuilder path = new StringBuilder();
    Matcher m = VARIABLE.matcher(rpc.httpPattern());
    while (m.find()) {
      FieldDescriptor field = rpc.requestType().findFieldByName(m.group(1));
      String value = (String) request.getField(field);
      if (value.isEmpty()) {
        return null;
      }
      m.appendReplacement(path, Matcher.quoteReplacement(
          URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20")));
      rest.clearField(field);
    }
    m.appendTail(path);
    List<String> query = new ArrayList<>();
    Message body;
    if (rpc.http().getBody().equals("*")) {
      body = rest.build();
    } else {
      FieldDescriptor bodyField = rpc.requestType().findFieldByName(rpc.http().getBody());
      body = (Message) request.getField(bodyField);
      for (Map.Entry<FieldDescriptor, Object> entry : rest.getAllFields().entrySet()) {
        if (entry.getKey().equals(bodyField)) {
          continue;
        }
        List<?> values = entry.getKey().isRepeated() ? (List<?>) entry.getValue() : List.of(entry.getValue());
        for (Object value : values) {
          query.add(entry.getKey().getName() + "=" + URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8));
        }
      }
    }
    return new RestCall(rpc.httpVerb(), path + (query.isEmpty() ? "" : "?" + String.join("&", query)),
        JsonFormat.printer().print(body));
  }

  private static int httpStatus(Status.Code code) {
    return switch (code) {
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
      case UNAUTHENTICATED -> 401;
      case PERMISSION_DENIED -> 403;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS, ABORTED -> 409;
      case RESOURCE_EXHAUSTED -> 429;
      default -> 500;
    };
  }

  /** The secret a create answered with: a top-level {@code token}, or a nested object's (a new tenant's admin token). */
  private static String secretIn(JsonObject response) {
    if (response.has("token") && response.get("token").isJsonPrimitive()) {
      return response.get("token").getAsString();
    }
    for (Map.Entry<String, JsonElement> member : response.entrySet()) {
      if (member.getValue().isJsonObject() && member.getValue().getAsJsonObject().has("token")) {
        return member.getValue().getAsJsonObject().get("token").getAsString();
      }
    }
    return null;
  }

  /**
   * A minted secret introspects active: asked by the admin of its tenant (the bootstrap admin,
   * or for a new tenant's admin token, the token itself: other tenants' tokens are inactive).
   */
  private static void assertActive(String secret, String evidence) throws Exception {
    if (secret == null) {
      return; // a directory object, not a token
    }
    boolean ownTenant = !evidence.startsWith("DirectoryService.CreateTenant")
        && !evidence.startsWith("POST /v1/tenants");
    Credentials asker = ownTenant ? admin : Credentials.bearer(secret);
    var stub = TokenServiceGrpc.newBlockingStub(server.authority().channel()).withCallCredentials(asker);
    boolean active = server.bounded(() -> stub.introspectToken(IntrospectTokenRequest.newBuilder().setToken(secret)
        .build()).getActive(), evidence);
    assertThat(active).as("a minted token introspects active: %s", evidence).isTrue();
  }
}
