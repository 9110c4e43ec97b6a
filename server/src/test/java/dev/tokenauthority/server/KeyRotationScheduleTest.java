package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.JsonWebKey;
import dev.tokenauthority.v1.SigningKey;
import dev.tokenauthority.v1.SigningKeyState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scheduled rotation as the server runs it: at start, and on the thread it owns and stops. */
class KeyRotationScheduleTest {
  @TempDir Path dataDir;

  static List<String> jwksKids(InProcessAuthority authority) {
    return authority.admin().getJwks().getKeysList().stream().map(JsonWebKey::getKid).toList();
  }

  /** The kids of the JWKS as REST callers get it from the embedded gateway. */
  static List<String> jwksKidsOverHttp(InProcessAuthority authority) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + authority.httpPort() + "/.well-known/jwks.json")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    List<String> kids = new ArrayList<>();
    JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("keys")
        .forEach(key -> kids.add(key.getAsJsonObject().get("kid").getAsString()));
    return kids;
  }

  @Test
  void aServerStartingWithAKeyOlderThanTheIntervalRotatesFirst() throws Exception {
    Duration interval = Duration.ofDays(30);
    try (InProcessAuthority authority = InProcessAuthority.start(TestStores.config(dataDir)
        .withHttpPort(ServerConfig.ANY_FREE_PORT).withKeyRotationInterval(interval))) {
      String first = jwksKids(authority).get(0);

      authority.clock().advance(interval.minusMillis(1));
      authority.restart();
      assertThat(jwksKids(authority)).containsExactly(first);
      assertThat(jwksKidsOverHttp(authority)).containsExactly(first);

      authority.clock().advance(Duration.ofMillis(1));
      authority.restart();
      List<String> kids = jwksKids(authority);
      assertThat(kids).hasSize(2).endsWith(first); // the new key first; the old one still published
      assertThat(jwksKidsOverHttp(authority)).isEqualTo(kids);
      List<SigningKey> keys = authority.admin().listSigningKeys().getSigningKeysList();
      assertThat(keys).extracting(SigningKey::getState)
          .containsExactly(SigningKeyState.SIGNING_KEY_STATE_CURRENT, SigningKeyState.SIGNING_KEY_STATE_RETIRED);
      assertThat(keys.get(0).getKid()).isEqualTo(kids.get(0));
    }
  }

  @Test
  void anIntervalOfZeroNeverRotates() {
    try (InProcessAuthority authority = InProcessAuthority.start(
        TestStores.config(dataDir).withHttpPort(0).withKeyRotationInterval(Duration.ZERO))) {
      String first = jwksKids(authority).get(0);
      authority.clock().advance(Duration.ofDays(3650));
      authority.restart();
      assertThat(jwksKids(authority)).containsExactly(first);
    }
  }

  @Test
  void theMaintenanceThreadRunsWhileTheServerServesAndStopsWithIt() throws Exception {
    Set<Thread> before = maintenanceThreads();
    InProcessAuthority authority = InProcessAuthority.start(dataDir);
    Set<Thread> started = maintenanceThreads();
    started.removeAll(before);
    assertThat(started).hasSize(1);
    Thread thread = started.iterator().next();
    assertThat(thread.isAlive()).isTrue();
    assertThat(thread.isDaemon()).isTrue();

    authority.close();
    thread.join(Duration.ofSeconds(10).toMillis());
    assertThat(thread.isAlive()).isFalse();
  }

  private static Set<Thread> maintenanceThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(TokenAuthorityServer.KEY_MAINTENANCE_THREAD) && t.isAlive())
        .collect(Collectors.toSet());
  }
}
