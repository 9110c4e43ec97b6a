package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.errorInfo;
import static dev.tokenauthority.server.testing.Errors.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.core.AuthRateLimiter;
import dev.tokenauthority.server.core.Secrets;
import dev.tokenauthority.server.core.TokenKind;
import dev.tokenauthority.server.testing.AuditPages;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.AuditEvent;
import dev.tokenauthority.v1.ListWorkspaceTokensRequest;
import dev.tokenauthority.v1.ListWorkspaceTokensResponse;
import dev.tokenauthority.v1.WorkspaceTokenServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failed authentications are rate limited per client address and per token prefix
 * (README "Brute force"), over gRPC and REST, without locking out the holder of a valid secret.
 * Client addresses are set with {@code x-forwarded-for}: the in-process transport (and the
 * embedded gateway's loopback hop) is a trusted proxy.
 */
class AuthRateLimitTest {
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> FORWARDED_FOR = Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER);
  static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  static final int PER_ADDRESS = ServerConfig.DEFAULT_AUTH_FAILURES_PER_MINUTE;
  static final int PER_PREFIX = AuthRateLimiter.PREFIX_FAILURES_PER_MINUTE;

  @TempDir Path dataDir;
  InProcessAuthority authority;
  final Secrets secrets = new Secrets();
  final Random random = new Random(8);

  @BeforeEach
  void start() {
    authority = InProcessAuthority.start(dataDir, c -> c.withHttpPort(ServerConfig.ANY_FREE_PORT));
  }

  @AfterEach
  void stop() {
    authority.close();
  }

  /** A call presenting {@code secret} from {@code address}. */
  ListWorkspaceTokensResponse call(String secret, String address) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + secret);
    headers.put(FORWARDED_FOR, address);
    return WorkspaceTokenServiceGrpc.newBlockingStub(authority.channel())
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .listWorkspaceTokens(ListWorkspaceTokensRequest.getDefaultInstance());
  }

  String unknownSecret() {
    return secrets.newSecret(TokenKind.WORKSPACE);
  }

  /** A well-formed (checksummed) secret that shares {@code secret}'s limiter prefix but is wrong. */
  String samePrefixGuess(String secret) {
    int keep = TokenKind.WORKSPACE.secretPrefix().length() + AuthRateLimiter.PREFIX_BODY_CHARS;
    StringBuilder guess = new StringBuilder(secret.substring(0, keep));
    while (guess.length() < secret.length() - 6) {
      guess.append(BASE62.charAt(random.nextInt(BASE62.length())));
    }
    CRC32 crc = new CRC32();
    crc.update(guess.toString().getBytes(StandardCharsets.US_ASCII));
    long value = crc.getValue();
    char[] checksum = new char[6];
    for (int i = 5; i >= 0; i--) {
      checksum[i] = BASE62.charAt((int) (value % 62));
      value /= 62;
    }
    String result = guess.append(checksum).toString();
    assertThat(Secrets.kindOf(result)).isEqualTo(TokenKind.WORKSPACE);
    assertThat(result).isNotEqualTo(secret);
    return result;
  }

  static Duration retryDelay(StatusRuntimeException e) throws InvalidProtocolBufferException {
    for (var detail : StatusProto.fromThrowable(e).getDetailsList()) {
      if (detail.is(RetryInfo.class)) {
        var delay = detail.unpack(RetryInfo.class).getRetryDelay();
        return Duration.ofSeconds(delay.getSeconds(), delay.getNanos());
      }
    }
    throw new AssertionError("no RetryInfo in " + e.getStatus());
  }

  StatusRuntimeException limited(String secret, String address) {
    return expect(Status.Code.RESOURCE_EXHAUSTED, "AUTH_RATE_LIMITED", () -> call(secret, address));
  }

  void unauthenticated(int times, String address) {
    for (int i = 0; i < times; i++) {
      expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_INVALID", () -> call(unknownSecret(), address));
    }
  }

  @Test
  void failuresBeyondTheAddressBudgetAreRefusedWithRetryInfoAndTheBucketRefills() throws Exception {
    String attacker = "203.0.113.7";
    unauthenticated(PER_ADDRESS, attacker);
    // also garbage and missing credentials come from the same budget once it is spent
    StatusRuntimeException refused = limited(unknownSecret(), attacker);
    assertThat(retryDelay(refused)).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
    limited("garbage", attacker);

    // a valid token from ANOTHER address is unaffected
    assertThat(call(authority.adminSecret(), "198.51.100.20").getTokensCount()).isPositive();
    // from the exhausted address even a valid secret waits: the address is refused before any lookup,
    // so it cannot learn which of its guesses are right (README "Brute force")
    limited(authority.adminSecret(), attacker);

    // refills continuously: one failure's worth after 60 s / budget
    authority.clock().advance(retryDelay(refused));
    assertThat(call(authority.adminSecret(), attacker).getTokensCount()).isPositive();
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_INVALID", () -> call(unknownSecret(), attacker));
    limited(unknownSecret(), attacker);
    // a full minute idle: the whole burst again
    authority.clock().advance(Duration.ofMinutes(1));
    unauthenticated(PER_ADDRESS, attacker);
    limited(unknownSecret(), attacker);
  }

  @Test
  void successesNeverSpendTheBudget() {
    String address = "203.0.113.8";
    for (int i = 0; i < 3 * PER_ADDRESS; i++) {
      call(authority.adminSecret(), address);
    }
    unauthenticated(PER_ADDRESS, address);
    limited(unknownSecret(), address);
  }

  @Test
  void ipv6AddressesShareTheBudgetOfTheirSlash64() {
    unauthenticated(PER_ADDRESS / 2, "2001:db8:1:2::1");
    unauthenticated(PER_ADDRESS - PER_ADDRESS / 2, "2001:db8:1:2:ffff::9");
    limited(unknownSecret(), "2001:db8:1:2::abcd");
    // another /64 has its own budget
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_INVALID", () -> call(unknownSecret(), "2001:db8:1:3::1"));
  }

  @Test
  void guessingOneTokenFromManyAddressesIsThrottledButItsHolderStillAuthenticates() throws Exception {
    String holder = authority.adminSecret();
    for (int i = 0; i < PER_PREFIX; i++) {
      String guess = samePrefixGuess(holder);
      String address = "192.0.2." + (i + 1);
      expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_INVALID", () -> call(guess, address));
    }
    // the next guess at this prefix, from a fresh address whose own budget is untouched
    StatusRuntimeException refused = limited(samePrefixGuess(holder), "192.0.2.200");
    assertThat(retryDelay(refused)).isPositive();
    assertThat(refused.getStatus().getDescription()).doesNotContain(holder.substring(0, 12));
    // other prefixes are not throttled
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_INVALID", () -> call(unknownSecret(), "192.0.2.201"));
    // the holder of the right secret is never refused for its prefix, from any address
    assertThat(call(holder, "192.0.2.202").getTokensCount()).isPositive();
    assertThat(call(holder, "192.0.2.1").getTokensCount()).isPositive();

    // refusals are audited like other failed authentications, with the limiter's reason
    assertThat(AuditPages.all(authority.admin(), "auth.failure")).extracting(AuditEvent::getReason)
        .contains("AUTH_RATE_LIMITED");

    authority.clock().advance(Duration.ofMinutes(1));
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_INVALID", () -> call(samePrefixGuess(holder), "192.0.2.203"));
  }

  @Test
  void overRestTheRefusalIs429WithRetryAfter() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String attacker = "203.0.113.9";
    HttpResponse<String> response = null;
    for (int i = 0; i <= PER_ADDRESS; i++) {
      response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + authority.httpPort() + "/tokens"))
          .header("Authorization", "Bearer " + unknownSecret()).header("X-Forwarded-For", attacker).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (i < PER_ADDRESS) {
        assertThat(response.statusCode()).as("attempt %d", i).isEqualTo(401);
        assertThat(response.headers().firstValue("Retry-After")).isEmpty();
      }
    }
    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.body()).contains("AUTH_RATE_LIMITED").contains("google.rpc.RetryInfo");
    long seconds = Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow());
    assertThat(seconds).isBetween(1L, 60L);

    // another client address is unaffected
    HttpResponse<String> other = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + authority.httpPort() + "/tokens"))
        .header("Authorization", "Bearer " + authority.adminSecret()).header("X-Forwarded-For", "198.51.100.30")
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).isEqualTo(200);
  }

  @Test
  void theErrorNamesNoSecretAndCarriesOneErrorInfo() {
    String attacker = "203.0.113.10";
    unauthenticated(PER_ADDRESS, attacker);
    String secret = unknownSecret();
    StatusRuntimeException refused = limited(secret, attacker);
    assertThat(refused.getStatus().getDescription()).doesNotContain(secret);
    assertThat(errorInfo(refused).getMetadataMap()).isEmpty();
  }
}
