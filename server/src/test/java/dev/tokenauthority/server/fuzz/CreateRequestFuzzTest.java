package dev.tokenauthority.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.TextFormat;
import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.server.fuzz.CreateRpcs.Rpc;
import io.grpc.CallOptions;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the service request validation: every create RPC, with request
 * messages built field by field from the fuzzer's bytes ({@link RequestGenerator}, timestamps
 * no JSON could carry included), sent over the in-process channel as the bootstrap admin.
 * Never INTERNAL / UNKNOWN, no stack trace, every INVALID_ARGUMENT names (in a BadRequest) a
 * field that exists in the request, every call answers within {@link FuzzServer#LIMIT}.
 *
 * <p>{@code mvn -B verify} fuzzes it for a bounded time in its own JVM (the {@code fuzz}
 * profile in server/pom.xml); without {@code JAZZER_FUZZ} it replays its inputs directory.
 */
class CreateRequestFuzzTest {
  private static final List<Rpc> RPCS = CreateRpcs.all();
  private static FuzzServer server;
  private static Credentials admin;
  private static FuzzSummary summary;

  @BeforeAll
  static void start() {
    server = FuzzServer.start("grpc");
    admin = Credentials.bearer(server.authority().adminSecret());
    summary = new FuzzSummary("CreateRequestFuzzTest");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      summary.write(FuzzSummary.jazzerMode());
      server.close();
    }
  }

  @FuzzTest(maxDuration = "20s")
  void createRequest(FuzzedDataProvider data) throws Exception {
    Entropy entropy = Entropy.of(data);
    Rpc rpc = RPCS.get(entropy.below(RPCS.size()));
    DynamicMessage request = new RequestGenerator(entropy, false, Instant.now()).message(rpc.requestType());
    // what the request says, printed and raw (so an echo of the caller's own text is no leak)
    String text = rpc.name() + " " + TextFormat.printer().emittingSingleLine(true).printToString(request) + "\n"
        + Outcomes.rawText(request);
    try {
      DynamicMessage response = server.bounded(() -> ClientCalls.blockingUnaryCall(server.authority().channel(),
          rpc.grpc(), CallOptions.DEFAULT.withCallCredentials(admin), request), text);
      assertThat(response).as(text).isNotNull();
      summary.count(rpc.method().getName() + ":OK", false);
    } catch (StatusRuntimeException e) {
      Outcomes.checkGrpcError(e, text, rpc.requestType(), rpc.bodyType());
      summary.count(rpc.method().getName() + ":" + e.getStatus().getCode(), true);
    }
  }
}
