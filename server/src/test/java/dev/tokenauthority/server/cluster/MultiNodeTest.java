package dev.tokenauthority.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.core.SigningKeys;
import dev.tokenauthority.server.store.Database;
import dev.tokenauthority.server.testing.Errors;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.FaultToken;
import dev.tokenauthority.v1.JsonWebKey;
import dev.tokenauthority.v1.ListWorkspaceTokensRequest;
import dev.tokenauthority.v1.WorkspaceToken;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes, A and B, each a separate server instance with its own data dir, real Netty gRPC
 * port and REST port, on one PostgreSQL database and one master key (issue 5). Revocation,
 * uniqueness, optimistic locking, key rotation and the first start must hold across nodes:
 * the database, not any node's memory, is the single source of truth.
 */
@Tag("postgres")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiNodeTest {
  private static final int TOKENS_MEASURED = 20;
  private static final int RACERS = 16;
  private static final int ROUNDS = 5;
  /** Scheduling slack on top of a documented bound (a loaded CI machine, the poll interval). */
  private static final Duration SLACK = Duration.ofSeconds(1);

  @TempDir static Path tmp;
  private String database;
  private final AtomicInteger schemas = new AtomicInteger();
  private String url;
  private String masterKey;
  private ClusterNode a;
  private ClusterNode b;
  private String admin;

  @BeforeAll
  void startTwoNodes() throws Exception {
    assumeTrue(TestStores.postgres(), "several nodes need a shared PostgreSQL database (the postgres profile)");
    // One database for the class; every cluster gets a schema of its own in it (dropping many
    // databases at JVM exit is slow).
    database = TestStores.newPostgresDatabase("cluster");
    url = newSchema();
    masterKey = ClusterNode.newMasterKey();
    a = ClusterNode.start(tmp.resolve("a"), url, masterKey);
    b = ClusterNode.start(tmp.resolve("b"), url, masterKey);
    admin = a.bootstrapSecret().orElseThrow();
    assertThat(b.bootstrapSecret()).as("only the node that bootstrapped writes bootstrap-token").isEmpty();
  }

  @AfterAll
  void stopNodes() throws Exception {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  // ---- revocation ------------------------------------------------------------------------

  @Test
  void aWorkspaceTokenMintedOnAWorksOnBAndRevokedOnBIsRejectedByAOnTheVeryNextCall() {
    TokenAuthorityClient adminA = a.client(admin);
    TokenAuthorityClient adminB = b.client(admin);
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < TOKENS_MEASURED; i++) {
      WorkspaceToken token = adminA.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
          .setName("cross-node " + i).addScopes("tokens:read").build());
      // minted on A: authenticates and introspects on B
      b.client(token.getToken()).listWorkspaceTokens(ListWorkspaceTokensRequest.newBuilder().setPageSize(1).build());
      assertThat(adminB.introspectToken(token.getToken()).getActive()).isTrue();
      // warm A's connection for this credential too, so the timed call measures only the check
      a.client(token.getToken()).listWorkspaceTokens(ListWorkspaceTokensRequest.newBuilder().setPageSize(1).build());

      assertThat(adminB.revokeWorkspaceToken(token.getId()).getStatus()).isEqualTo("revoked");
      long revoked = System.nanoTime();
      Errors.expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_REVOKED", () -> a.client(token.getToken())
          .listWorkspaceTokens(ListWorkspaceTokensRequest.newBuilder().setPageSize(1).build()));
      delays.add(System.nanoTime() - revoked);
      assertThat(adminA.introspectToken(token.getToken()).getActive()).isFalse();
    }
    report("gRPC workspace token: revoke on B -> A rejects", delays);
  }

  @Test
  void aFaultJwtMintedOnAIsRevokedOnBAndInactiveOnAOnTheVeryNextCall() {
    TokenAuthorityClient adminA = a.client(admin);
    TokenAuthorityClient adminB = b.client(admin);
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < TOKENS_MEASURED; i++) {
      FaultToken jwt = adminA.generateFaultToken(60);
      assertThat(jwt.getType()).isEqualTo("jwt");
      assertThat(adminB.introspectToken(jwt.getToken()).getActive()).isTrue();
      assertThat(adminA.introspectToken(jwt.getToken()).getActive()).isTrue();

      assertThat(adminB.revokeFaultToken(jwt.getId()).getStatus()).isEqualTo("revoked");
      long revoked = System.nanoTime();
      boolean active = adminA.introspectToken(jwt.getToken()).getActive();
      delays.add(System.nanoTime() - revoked);
      assertThat(active).as("A's very first introspection after B's revocation").isFalse();
      assertThat(adminA.getFaultToken(jwt.getId()).getStatus()).isEqualTo("revoked");
    }
    report("gRPC fault JWT: revoke on B -> A introspects inactive", delays);
  }

  @Test
  void overRestATokenCreatedOnAAndDeletedOnBIsRefusedByAOnTheVeryNextCall() throws Exception {
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < TOKENS_MEASURED; i++) {
      JsonObject created = json(a.post("/tokens", "{\"name\": \"rest cross-node " + i
          + "\", \"scopes\": [\"tokens:read\"]}", admin), 201);
      String id = created.get("id").getAsString();
      String secret = created.get("token").getAsString();
      json(b.send(b.request("/tokens?page_size=1", secret).GET()), 200);
      assertThat(json(b.post("/v1/tokens:introspect", "{\"token\": \"" + secret + "\"}", admin), 200)
          .get("active").getAsBoolean()).isTrue();
      json(a.send(a.request("/tokens?page_size=1", secret).GET()), 200);

      assertThat(json(b.send(b.request("/tokens/" + id, admin).DELETE()), 200).get("status").getAsString())
          .isEqualTo("revoked");
      long revoked = System.nanoTime();
      HttpResponse<String> refused = a.send(a.request("/tokens?page_size=1", secret).GET());
      delays.add(System.nanoTime() - revoked);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
      assertThat(refused.body()).contains("CREDENTIAL_REVOKED");
      assertThat(json(a.post("/v1/tokens:introspect", "{\"token\": \"" + secret + "\"}", admin), 200).toString())
          .isEqualTo("{\"active\":false}");
    }
    report("REST workspace token: DELETE on B -> A answers 401", delays);
  }

  // ---- races -----------------------------------------------------------------------------

  @Test
  void sixteenConcurrentCreatesOfOneNameAcrossBothNodesLetExactlyOneWin() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      String name = "race " + round + " " + System.nanoTime();
      List<Optional<StatusRuntimeException>> outcomes = race(i -> () -> (i % 2 == 0 ? a : b).client(admin)
          .createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName(name).addScopes("tokens:read")
              .build()));
      assertThat(outcomes.stream().filter(Optional::isEmpty).count()).as("round %d: winners", round).isEqualTo(1);
      for (Optional<StatusRuntimeException> outcome : outcomes) {
        outcome.ifPresent(e -> {
          assertThat(e.getStatus().getCode()).as(e.toString()).isEqualTo(Status.Code.ALREADY_EXISTS);
          assertThat(Errors.errorInfo(e).getReason()).isEqualTo("RESOURCE_ALREADY_EXISTS");
        });
      }
      assertThat(count("SELECT COUNT(*) FROM tokens WHERE kind = 'WORKSPACE' AND name = ?", name, url)).isEqualTo(1);
    }
  }

  @Test
  void sixteenConcurrentUpdatesOfOneChangeSequenceAcrossBothNodesLetExactlyOneWin() throws Exception {
    AccessToken token = a.client(admin).createAccessToken(AccessToken.newBuilder().setName("contended").build());
    for (int round = 0; round < ROUNDS; round++) {
      int read = b.client(admin).getAccessToken(token.getId()).getChangeSequence();
      int thisRound = round;
      List<Optional<StatusRuntimeException>> outcomes = race(i -> () -> (i % 2 == 0 ? a : b).client(admin)
          .updateAccessToken(token.getId(), AccessToken.newBuilder().setName("round " + thisRound + " writer " + i)
              .setChangeSequence(read).build()));
      List<Integer> winners = new ArrayList<>();
      for (int i = 0; i < outcomes.size(); i++) {
        if (outcomes.get(i).isEmpty()) {
          winners.add(i);
        } else {
          StatusRuntimeException e = outcomes.get(i).get();
          assertThat(e.getStatus().getCode()).as(e.toString()).isEqualTo(Status.Code.ABORTED);
          assertThat(Errors.errorInfo(e).getReason()).isEqualTo("CHANGE_SEQUENCE_MISMATCH");
          assertThat(Errors.errorInfo(e).getMetadataMap()).containsEntry("changeSequence", Integer.toString(read + 1));
        }
      }
      assertThat(winners).as("round %d: winners", round).hasSize(1);
      AccessToken after = a.client(admin).getAccessToken(token.getId());
      assertThat(after.getChangeSequence()).isEqualTo(read + 1);
      assertThat(after.getName()).isEqualTo("round " + round + " writer " + winners.get(0));
    }
  }

  // ---- signing keys ----------------------------------------------------------------------

  @Test
  void aRotationOnAReachesBsJwksAndSignerWithinTheDocumentedBoundAndOldTokensStillVerify() throws Exception {
    TokenAuthorityClient adminA = a.client(admin);
    TokenAuthorityClient adminB = b.client(admin);
    FaultToken oldFromA = adminA.generateFaultToken(60);
    FaultToken oldFromB = adminB.generateFaultToken(60);
    String oldKid = kid(oldFromA);
    assertThat(kid(oldFromB)).isEqualTo(oldKid);

    String newKid = adminA.rotateSigningKey().getKid();
    long rotated = System.nanoTime();
    assertThat(newKid).isNotEqualTo(oldKid);
    // the rotating node knows at once
    assertThat(kids(adminA.getJwks().getKeysList())).contains(newKid, oldKid);
    assertThat(kid(adminA.generateFaultToken(60))).isEqualTo(newKid);

    long grpcJwks = -1;
    long restJwks = -1;
    long signs = -1;
    HttpResponse<String> jwksResponse = null;
    long deadline = rotated + SigningKeys.MAX_VIEW_AGE.plus(SLACK).plusSeconds(5).toNanos();
    while ((grpcJwks < 0 || restJwks < 0 || signs < 0) && System.nanoTime() < deadline) {
      if (grpcJwks < 0 && kids(adminB.getJwks().getKeysList()).contains(newKid)) {
        grpcJwks = System.nanoTime() - rotated;
      }
      if (restJwks < 0) {
        HttpResponse<String> response = b.send(b.request("/.well-known/jwks.json", null).GET());
        if (json(response, 200).getAsJsonArray("keys").asList().stream()
            .anyMatch(key -> key.getAsJsonObject().get("kid").getAsString().equals(newKid))) {
          restJwks = System.nanoTime() - rotated;
          jwksResponse = response;
        }
      }
      if (signs < 0 && kid(adminB.generateFaultToken(60)).equals(newKid)) {
        signs = System.nanoTime() - rotated;
      }
      Thread.sleep(50);
    }
    System.out.printf("[cluster] key rotation on A -> B: gRPC JWKS lists new kid after %d ms, REST JWKS after %d ms,"
        + " B signs with it after %d ms (bounds: JWKS %d s refresh, signing %d s max view age, REST max-age %d s)%n",
        millis(grpcJwks), millis(restJwks), millis(signs), SigningKeys.REFRESH_INTERVAL.toSeconds(),
        SigningKeys.MAX_VIEW_AGE.toSeconds(), SigningKeys.JWKS_MAX_AGE.toSeconds());
    assertThat(grpcJwks).as("B's gRPC JWKS lists the new kid").isNotNegative();
    assertThat(restJwks).as("B's REST JWKS lists the new kid").isNotNegative();
    assertThat(signs).as("B signs with the new kid").isNotNegative();
    // B's view is reloaded every REFRESH_INTERVAL (fixed delay after the previous load)...
    assertThat(Duration.ofNanos(grpcJwks)).isLessThanOrEqualTo(SigningKeys.REFRESH_INTERVAL.plus(SLACK));
    assertThat(Duration.ofNanos(restJwks)).isLessThanOrEqualTo(SigningKeys.REFRESH_INTERVAL.plus(SLACK));
    // ...and never signs with a view older than MAX_VIEW_AGE
    assertThat(Duration.ofNanos(signs)).isLessThanOrEqualTo(SigningKeys.MAX_VIEW_AGE.plus(SLACK));
    // a REST cache may add JWKS_MAX_AGE: a relying party sees the key within MAX_VIEW_AGE (+ one load)
    assertThat(jwksResponse.headers().firstValue("cache-control"))
        .hasValue("public, max-age=" + SigningKeys.JWKS_MAX_AGE.toSeconds());
    assertThat(SigningKeys.REFRESH_INTERVAL.plus(SigningKeys.JWKS_MAX_AGE)).isLessThanOrEqualTo(SigningKeys.MAX_VIEW_AGE);

    // Tokens of the old key stay valid on both nodes: introspection, and the signature checks
    // against either node's JWKS, which still publishes the retired key.
    for (ClusterNode node : List.of(a, b)) {
      TokenAuthorityClient client = node.client(admin);
      List<JsonWebKey> jwks = client.getJwks().getKeysList();
      assertThat(kids(jwks)).contains(oldKid, newKid);
      for (FaultToken old : List.of(oldFromA, oldFromB)) {
        assertThat(client.introspectToken(old.getToken()).getActive()).isTrue();
        JsonWebKey key = jwks.stream().filter(k -> k.getKid().equals(oldKid)).findFirst().orElseThrow();
        JWT.require(Algorithm.ECDSA256(publicKey(key), null)).build().verify(old.getToken());
      }
    }
  }

  @Test
  void aNodeWithAnotherMasterKeyRefusesToStartAndSaysWhy() {
    Path dataDir = tmp.resolve("wrong-key");
    Throwable refused = catchThrowable(() -> ClusterNode.start(dataDir, url, ClusterNode.newMasterKey()).close());
    assertThat(refused).isInstanceOf(IllegalStateException.class).hasMessageContaining("wrong master key");
    assertThat(dataDir.resolve("bootstrap-token")).doesNotExist();
    // the cluster is unharmed
    assertThat(a.client(admin).introspectToken(admin).getActive()).isTrue();
  }

  // ---- first start -----------------------------------------------------------------------

  @Test
  void twoNodesStartingAtOnceOnAnEmptyDatabaseBootstrapExactlyOnce() throws Exception {
    int contested = 0;
    for (int round = 0; round < 2 * ROUNDS; round++) {
      String fresh = newSchema();
      if (round % 2 == 1) {
        // Flyway's lock serialises the migrations, which staggers the nodes: on a schema already
        // migrated, both go straight to creating the first signing key and bootstrapping.
        Database.open(fresh, null, null, 2).close(); // Flyway needs two connections
      }
      Path[] dirs = {tmp.resolve("first-" + round + "-x"), tmp.resolve("first-" + round + "-y")};
      CountDownLatch gate = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      List<Future<ClusterNode>> starts = new ArrayList<>();
      for (Path dir : dirs) {
        starts.add(pool.submit(() -> {
          gate.await();
          return ClusterNode.start(dir, fresh, masterKey);
        }));
      }
      gate.countDown();
      List<ClusterNode> nodes = new ArrayList<>();
      try {
        for (Future<ClusterNode> start : starts) {
          nodes.add(start.get(60, TimeUnit.SECONDS));
        }
        assertThat(count("SELECT COUNT(*) FROM tenants", null, fresh)).as("round %d: tenants", round).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM bootstrap", null, fresh)).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM users", null, fresh)).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM tokens", null, fresh)).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM tokens WHERE unique_name = ?", "bootstrap-admin", fresh)).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM signing_keys", null, fresh)).as("round %d: signing keys", round)
            .isEqualTo(1);
        List<String> secrets = nodes.stream().flatMap(n -> n.bootstrapSecret().stream()).toList();
        assertThat(secrets).as("round %d: bootstrap-token files", round).hasSize(1);
        assertThat(nodes.stream().filter(n -> n.server().bootstrapFile() != null).count()).isEqualTo(1);
        // Tenants.bootstrapIfEmpty creates the data dir only once it has seen an empty store: if
        // both dirs exist, both nodes tried to bootstrap and the database turned one away.
        if (Files.isDirectory(dirs[0]) && Files.isDirectory(dirs[1])) {
          contested++;
        }
        for (Path dir : dirs) {
          if (!Files.isDirectory(dir)) {
            continue; // the loser never needed its data dir: the master key came from configuration
          }
          try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.contains(".pending")))
                .as("no half-written token file").isEmpty();
          }
        }
        for (ClusterNode node : nodes) {
          assertThat(node.client(secrets.get(0)).introspectToken(secrets.get(0)).getActive()).isTrue();
        }
      } finally {
        pool.shutdownNow();
        for (ClusterNode node : nodes) {
          node.close();
        }
      }
    }
    System.out.printf("[cluster] concurrent first start: %d of %d rounds had both nodes try to bootstrap; one won each%n",
        contested, 2 * ROUNDS);
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** A new, empty schema in the class's database, as a JDBC URL. */
  private String newSchema() throws Exception {
    String schema = "cluster_" + schemas.incrementAndGet();
    try (Connection connection = DriverManager.getConnection(database);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    return database + "&currentSchema=" + schema;
  }

  private static long count(String sql, String parameter, String jdbcUrl) throws Exception {
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        var statement = connection.prepareStatement(sql)) {
      if (parameter != null) {
        statement.setString(1, parameter);
      }
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  /** A call that either succeeds or throws a StatusRuntimeException. */
  private interface Call {
    void run();
  }

  /**
   * Runs {@link #RACERS} calls at once (all released by one gate); for each, empty if it
   * succeeded, else its failure.
   */
  private static List<Optional<StatusRuntimeException>> race(java.util.function.IntFunction<Call> calls)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(RACERS);
    try {
      CountDownLatch ready = new CountDownLatch(RACERS);
      CountDownLatch gate = new CountDownLatch(1);
      List<Future<Optional<StatusRuntimeException>>> futures = new ArrayList<>();
      for (int i = 0; i < RACERS; i++) {
        Call call = calls.apply(i);
        futures.add(pool.submit(() -> {
          ready.countDown();
          gate.await();
          try {
            call.run();
            return Optional.<StatusRuntimeException>empty();
          } catch (StatusRuntimeException e) {
            return Optional.of(e);
          }
        }));
      }
      ready.await();
      gate.countDown();
      List<Optional<StatusRuntimeException>> outcomes = new ArrayList<>();
      for (Future<Optional<StatusRuntimeException>> future : futures) {
        outcomes.add(future.get(60, TimeUnit.SECONDS));
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  private static JsonObject json(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  private static String kid(FaultToken token) {
    return JWT.decode(token.getToken()).getKeyId();
  }

  private static List<String> kids(List<JsonWebKey> keys) {
    return keys.stream().map(JsonWebKey::getKid).toList();
  }

  /** The P-256 public key a JWK describes. */
  private static ECPublicKey publicKey(JsonWebKey jwk) throws Exception {
    AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
    parameters.init(new ECGenParameterSpec("secp256r1"));
    ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
    ECPoint point = new ECPoint(new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getX())),
        new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getY())));
    return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, spec));
  }

  private static long millis(long nanos) {
    return nanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private static void report(String what, List<Long> delaysNanos) {
    List<Long> sorted = new ArrayList<>(delaysNanos);
    Collections.sort(sorted);
    System.out.printf("[cluster] %s: median %.2f ms, max %.2f ms over %d tokens%n", what,
        sorted.get(sorted.size() / 2) / 1e6, sorted.get(sorted.size() - 1) / 1e6, sorted.size());
  }
}
