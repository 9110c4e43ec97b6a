package dev.tokenauthority.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import dev.tokenauthority.server.core.Cluster.Node;
import dev.tokenauthority.server.core.JwtVerifier.Invalid;
import dev.tokenauthority.server.core.JwtVerifier.Rejection;
import dev.tokenauthority.server.core.JwtVerifier.Valid;
import dev.tokenauthority.server.core.SigningKeys.KeyStatus;
import dev.tokenauthority.server.core.SigningKeys.PublishedKey;
import dev.tokenauthority.server.core.SigningKeys.Rotation;
import dev.tokenauthority.server.core.SigningKeys.State;
import dev.tokenauthority.server.store.Database;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation, retention and propagation of the signing keys, on nodes sharing one database. */
class SigningKeysTest {
  /** Whole seconds, so a JWT's exp (whole seconds) and its row's expires_at are the same instant. */
  static final Instant START = Instant.parse("2031-03-04T05:06:07Z");

  @TempDir Path dataDir;
  Cluster cluster;
  Node a;

  @BeforeEach
  void start() {
    cluster = new Cluster(dataDir, START);
    a = cluster.node();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  static String kid(TokenCore.IssuedJwt jwt) {
    return JWT.decode(jwt.jwt()).getKeyId();
  }

  static List<String> kids(SigningKeys keys) {
    return keys.published().stream().map(PublishedKey::kid).toList();
  }

  static Rejection rejection(JwtVerifier.Result result) {
    assertThat(result).isInstanceOf(Invalid.class);
    return ((Invalid) result).rejection();
  }

  KeyStatus status(SigningKeys keys, String kid) {
    return keys.list(cluster.admin(a)).stream().filter(k -> k.kid().equals(kid)).findFirst().orElseThrow();
  }

  // ---------------------------------------------------------------- one node

  @Test
  void theFirstStartCreatesOneCurrentKeyThatLaterNodesShare() throws Exception {
    Node b = cluster.node();
    assertThat(kids(a.keys())).hasSize(1).isEqualTo(kids(b.keys()));
    assertThat(kid(cluster.mint(b, 5))).isEqualTo(kids(a.keys()).get(0)).matches("key_[a-z0-9]{24}");
    KeyStatus only = a.keys().list(cluster.admin(a)).get(0);
    assertThat(only.state()).isEqualTo(State.CURRENT);
    assertThat(only.algorithm()).isEqualTo("ES256");
    assertThat(only.createdAt()).isEqualTo(START);
    assertThat(only.retiredAt()).isNull();
    assertThat(only.publishedUntil()).isNull();
  }

  @Test
  void theRotatingNodeSignsWithTheNewKeyAtOnceAndPublishesBoth() {
    String before = kid(cluster.mint(a, 5));
    cluster.clock.advance(Duration.ofMillis(250));

    Rotation rotation = a.keys().rotate(cluster.admin(a));

    assertThat(rotation.previousKid()).isEqualTo(before);
    assertThat(rotation.kid()).isNotEqualTo(before).matches("key_[a-z0-9]{24}");
    assertThat(rotation.createdAt()).isEqualTo(START.plusMillis(250));
    assertThat(kid(cluster.mint(a, 5))).isEqualTo(rotation.kid());
    assertThat(kids(a.keys())).containsExactly(rotation.kid(), before); // current first
    List<KeyStatus> listed = a.keys().list(cluster.admin(a));
    assertThat(listed).extracting(KeyStatus::kid).containsExactly(rotation.kid(), before); // newest first
    assertThat(listed).extracting(KeyStatus::state).containsExactly(State.CURRENT, State.RETIRED);
    assertThat(listed.get(1).retiredAt()).isEqualTo(rotation.createdAt());
  }

  @Test
  void rotatingAndListingNeedTheirScopes() {
    Principal reader = new Principal("t", "u", "e", "tok", Set.of(Scopes.KEYS_READ), "in-process");
    Principal writer = new Principal("t", "u", "e", "tok", Set.of(Scopes.KEYS_WRITE), "in-process");
    assertThatThrownBy(() -> a.keys().rotate(reader)).isInstanceOfSatisfying(Failure.class,
        f -> assertThat(f.metadata()).containsEntry("scope", "keys:write"));
    assertThatThrownBy(() -> a.keys().list(writer)).isInstanceOfSatisfying(Failure.class,
        f -> assertThat(f.metadata()).containsEntry("scope", "keys:read"));
    assertThat(a.keys().rotate(writer).kid()).isNotEmpty();
    assertThat(a.keys().list(reader)).hasSize(2);
  }

  @Test
  void aRetiredKeyLosesItsPrivateHalfAndTheDatabaseHoldsOneCurrentKey() throws Exception {
    String first = kids(a.keys()).get(0);
    String second = a.keys().rotate(cluster.admin(a)).kid();
    cluster.database.jdbi().useHandle(handle -> {
      assertThat(handle.select("SELECT private_key_sealed FROM signing_keys WHERE kid = ?", first)
          .mapTo(String.class).one()).isNull();
      assertThat(handle.select("SELECT private_key_sealed FROM signing_keys WHERE kid = ?", second)
          .mapTo(String.class).one()).isNotBlank();
      // the constraint, not only the code, keeps a second current key out
      assertThatThrownBy(() -> handle.execute("UPDATE signing_keys SET is_current = TRUE, retired_at = NULL"
          + " WHERE kid = ?", first)).satisfies(e -> assertThat(Database.isUniqueViolation(e)).isTrue());
      assertThatThrownBy(() -> handle.execute("UPDATE signing_keys SET is_current = NULL WHERE kid = ?", second))
          .satisfies(e -> assertThat(e.getMessage()).containsIgnoringCase("signing_keys_current_xor_retired"));
    });
  }

  // ---------------------------------------------------------------- retention

  @Test
  void aRetiredKeyVerifiesUntilItsLastTokenExpiresAndNotAfter() {
    TokenCore.IssuedJwt shortLived = cluster.mint(a, 2);
    TokenCore.IssuedJwt longLived = cluster.mint(a, 60);
    String retired = kid(longLived);
    cluster.clock.advance(Duration.ofMinutes(1));
    Rotation rotation = a.keys().rotate(cluster.admin(a));
    Instant lastExpiry = START.plus(Duration.ofMinutes(60));

    assertThat(status(a.keys(), retired).publishedUntil()).isEqualTo(lastExpiry);
    assertThat(a.verifier().verify(shortLived.jwt())).isInstanceOf(Valid.class);
    cluster.clock.set(START.plus(Duration.ofMinutes(2)));
    assertThat(rejection(a.verifier().verify(shortLived.jwt()))).isEqualTo(Rejection.EXPIRED); // its own exp
    assertThat(a.verifier().verify(longLived.jwt())).isInstanceOf(Valid.class);

    cluster.clock.set(lastExpiry.minusMillis(1));
    assertThat(a.verifier().verify(longLived.jwt())).isInstanceOf(Valid.class);
    assertThat(kids(a.keys())).containsExactly(rotation.kid(), retired);
    assertThat(status(a.keys(), retired).state()).isEqualTo(State.RETIRED);

    cluster.clock.set(lastExpiry);
    assertThat(kids(a.keys())).containsExactly(rotation.kid());
    // the key is gone before the exp check: the reason is the key, not the expiry
    assertThat(rejection(a.verifier().verify(longLived.jwt()))).isEqualTo(Rejection.UNKNOWN_KEY);
    assertThat(rejection(a.verifier().verify(shortLived.jwt()))).isEqualTo(Rejection.UNKNOWN_KEY);
    assertThat(status(a.keys(), retired).state()).isEqualTo(State.EXPIRED);
    assertThat(status(a.keys(), retired).publishedUntil()).isEqualTo(lastExpiry);
  }

  @Test
  void aKeyWhoseTokensExpiredStaysPublishedOneMinuteAfterItsRetirement() {
    String retired = kids(a.keys()).get(0);
    cluster.mint(a, 1);
    cluster.clock.advance(Duration.ofMinutes(10));
    Rotation rotation = a.keys().rotate(cluster.admin(a));
    Instant retiredAt = rotation.createdAt();

    assertThat(status(a.keys(), retired).publishedUntil()).isEqualTo(retiredAt.plus(SigningKeys.RETIRED_MIN_PUBLISHED));
    cluster.clock.set(retiredAt.plus(SigningKeys.RETIRED_MIN_PUBLISHED).minusMillis(1));
    assertThat(kids(a.keys())).contains(retired);
    cluster.clock.set(retiredAt.plus(SigningKeys.RETIRED_MIN_PUBLISHED));
    assertThat(kids(a.keys())).containsExactly(rotation.kid());
    assertThat(a.keys().publishedKey(retired)).isEmpty();
  }

  @Test
  void publishedUntilIsTheLaterOfOneMinuteAfterRetirementAndTheLastExpiry() {
    Instant retiredAt = START;
    assertThat(SigningKeys.publishedUntil(null, START)).isNull();
    assertThat(SigningKeys.publishedUntil(retiredAt, null)).isEqualTo(retiredAt.plusSeconds(60));
    assertThat(SigningKeys.publishedUntil(retiredAt, retiredAt.plusSeconds(59))).isEqualTo(retiredAt.plusSeconds(60));
    assertThat(SigningKeys.publishedUntil(retiredAt, retiredAt.plusSeconds(61))).isEqualTo(retiredAt.plusSeconds(61));
  }

  // ---------------------------------------------------------------- several nodes

  @Test
  void anotherNodeSignsWithTheNewKeyWithinTheMaximumViewAge() {
    Node b = cluster.node();
    String old = kids(b.keys()).get(0);
    Rotation rotation = a.keys().rotate(cluster.admin(a));

    // b has not reloaded yet: it may sign with the old key, for at most MAX_VIEW_AGE
    assertThat(kid(cluster.mint(b, 5))).isEqualTo(old);
    cluster.clock.advance(SigningKeys.MAX_VIEW_AGE.minusMillis(1));
    assertThat(kid(cluster.mint(b, 5))).isEqualTo(old);
    cluster.clock.advance(Duration.ofMillis(1));
    assertThat(kid(cluster.mint(b, 5))).isEqualTo(rotation.kid());
  }

  @Test
  void aRefreshPicksUpAnotherNodesRotation() {
    Node b = cluster.node();
    Rotation rotation = a.keys().rotate(cluster.admin(a));
    assertThat(kids(b.keys())).containsExactly(rotation.previousKid());
    b.keys().refresh();
    assertThat(kids(b.keys())).containsExactly(rotation.kid(), rotation.previousKid());
    assertThat(kid(cluster.mint(b, 5))).isEqualTo(rotation.kid());
  }

  @Test
  void anUnknownKidReloadsTheKeysAtMostOnceASecond() {
    Node b = cluster.node();
    a.keys().rotate(cluster.admin(a));
    TokenCore.IssuedJwt fresh = cluster.mint(a, 5);

    // b loaded its keys this very instant: it does not reload again yet
    assertThat(rejection(b.verifier().verify(fresh.jwt()))).isEqualTo(Rejection.UNKNOWN_KEY);
    cluster.clock.advance(SigningKeys.RELOAD_MIN_INTERVAL.minusMillis(1));
    assertThat(rejection(b.verifier().verify(fresh.jwt()))).isEqualTo(Rejection.UNKNOWN_KEY);
    cluster.clock.advance(Duration.ofMillis(1));
    assertThat(b.verifier().verify(fresh.jwt())).isInstanceOf(Valid.class);
  }

  @Test
  void tokensAnotherNodeSignsWithTheRetiredKeyExtendItsRetention() {
    Node b = cluster.node();
    String old = kids(b.keys()).get(0);
    Rotation rotation = a.keys().rotate(cluster.admin(a));
    TokenCore.IssuedJwt late = cluster.mint(b, 120); // b's view is still fresh: it signs with the old key
    assertThat(kid(late)).isEqualTo(old);

    // a reloaded when it rotated, before b's token existed: its view ends the old key's
    // retention a minute after the rotation, and the token makes it reload
    cluster.clock.set(rotation.createdAt().plus(SigningKeys.RETIRED_MIN_PUBLISHED).plusSeconds(5));
    assertThat(a.verifier().verify(late.jwt())).isInstanceOf(Valid.class);
    assertThat(kids(a.keys())).containsExactly(rotation.kid(), old);
    assertThat(status(a.keys(), old).publishedUntil()).isEqualTo(START.plus(Duration.ofMinutes(120)));
  }

  @Test
  void concurrentRotationsEachRetireTheKeyCurrentWhenTheyCommit() throws Exception {
    List<Node> nodes = List.of(a, cluster.node(), cluster.node(), cluster.node());
    String first = kids(a.keys()).get(0);
    Principal admin = cluster.admin(a);
    List<Rotation> rotations = runTogether(nodes.stream().<Callable<Rotation>>map(n -> () -> n.keys().rotate(admin))
        .toList());

    Set<String> created = new HashSet<>();
    Set<String> retired = new HashSet<>();
    rotations.forEach(r -> {
      created.add(r.kid());
      retired.add(r.previousKid());
    });
    assertThat(created).hasSize(4).doesNotContain(first);
    assertThat(retired).hasSize(4).contains(first); // one chain: each key retired exactly once
    Set<String> current = new HashSet<>(created);
    current.removeAll(retired);
    assertThat(current).hasSize(1);
    assertThat(currentKidsInTheDatabase()).containsExactlyElementsOf(current);
    nodes.forEach(n -> n.keys().refresh());
    nodes.forEach(n -> assertThat(kid(cluster.mint(n, 5))).isEqualTo(current.iterator().next()));
  }

  @Test
  void scheduledRotationByNodesAtOnceRotatesOnce() throws Exception {
    List<Node> nodes = List.of(a, cluster.node(), cluster.node(), cluster.node());
    Duration interval = Duration.ofDays(30);
    cluster.clock.advance(interval);
    List<Boolean> rotated = runTogether(nodes.stream().<Callable<Boolean>>map(n -> () -> n.keys().rotateIfDue(interval))
        .toList());

    assertThat(rotated).containsOnlyOnce(true);
    assertThat(a.keys().list(cluster.admin(a))).extracting(KeyStatus::state)
        .containsExactly(State.CURRENT, State.RETIRED);
    List<String> current = currentKidsInTheDatabase();
    nodes.forEach(n -> assertThat(kids(n.keys()).get(0)).isEqualTo(current.get(0))); // each reloaded
  }

  @Test
  void scheduledRotationWaitsForTheIntervalAndZeroNeverRotates() {
    Duration interval = Duration.ofDays(30);
    String first = kids(a.keys()).get(0);
    cluster.clock.advance(interval.minusMillis(1));
    assertThat(a.keys().rotateIfDue(interval)).isFalse();
    assertThat(a.keys().rotateIfDue(Duration.ZERO)).isFalse();
    cluster.clock.advance(Duration.ofMillis(1));
    assertThat(a.keys().rotateIfDue(Duration.ZERO)).isFalse();
    assertThat(kids(a.keys())).containsExactly(first);

    assertThat(a.keys().rotateIfDue(interval)).isTrue();
    String second = kids(a.keys()).get(0);
    assertThat(second).isNotEqualTo(first);
    assertThat(a.keys().rotateIfDue(interval)).isFalse(); // the new key is young
  }

  @Test
  void aStaleViewDoesNotRotateAKeyAnotherNodeJustCreated() {
    Node b = cluster.node();
    Duration interval = Duration.ofDays(30);
    cluster.clock.advance(interval);
    assertThat(a.keys().rotateIfDue(interval)).isTrue();
    // b's view still shows the old, due key; the transaction sees the new one and does nothing
    assertThat(b.keys().rotateIfDue(interval)).isFalse();
    assertThat(a.keys().list(cluster.admin(a))).hasSize(2);
  }

  // ---------------------------------------------------------------- the public half

  @Test
  void verifiersAreBuiltOncePerKid() {
    String kid = kids(a.keys()).get(0);
    PublishedKey first = a.keys().publishedKey(kid).orElseThrow();
    a.keys().refresh();
    a.keys().rotate(cluster.admin(a));
    PublishedKey later = a.keys().publishedKey(kid).orElseThrow();
    assertThat(later.verifier()).isSameAs(first.verifier());
    assertThat(later.retiredAt()).isNotNull(); // the state is new, the key objects are not
  }

  @Test
  void jwkCoordinatesAre32BytesLeftPaddedBase64UrlWithoutPadding() {
    assertThat(decode(SigningKeys.coordinate(BigInteger.ONE)))
        .hasSize(32).startsWith(new byte[31]).endsWith(1);
    BigInteger highBit = BigInteger.ONE.shiftLeft(255).add(BigInteger.TWO); // toByteArray() has 33 bytes
    byte[] high = decode(SigningKeys.coordinate(highBit));
    assertThat(high).hasSize(32);
    assertThat(new BigInteger(1, high)).isEqualTo(highBit);
    assertThat(SigningKeys.coordinate(highBit)).hasSize(43).matches("[A-Za-z0-9_-]+");
    PublishedKey key = a.keys().published().get(0);
    assertThat(key.x()).hasSize(43);
    assertThat(key.y()).hasSize(43);
  }

  private static byte[] decode(String base64Url) {
    return Base64.getUrlDecoder().decode(base64Url);
  }

  private List<String> currentKidsInTheDatabase() {
    return cluster.database.jdbi().withHandle(handle ->
        handle.select("SELECT kid FROM signing_keys WHERE is_current = TRUE").mapTo(String.class).list());
  }

  /** Runs the tasks on threads of their own, released at once, and returns their results in order. */
  private static <T> List<T> runTogether(List<Callable<T>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> task : tasks) {
        futures.add(pool.submit(() -> {
          go.await();
          return task.call();
        }));
      }
      go.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
