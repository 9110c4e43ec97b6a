package dev.tokenauthority.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenauthority.server.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The limiter on its own: budgets, refill by the injected clock, keys, and bounded memory. */
class AuthRateLimiterTest {
  static final int PER_ADDRESS = AuthRateLimiter.DEFAULT_ADDRESS_FAILURES_PER_MINUTE;
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  @Test
  void anAddressIsRefusedOnlyAfterItsBurstOfFailuresAndRefillsWithTheClock() {
    AuthRateLimiter limiter = new AuthRateLimiter(clock, PER_ADDRESS);
    assertThat(limiter.addressWait("203.0.113.1")).isNull();
    for (int i = 0; i < PER_ADDRESS; i++) {
      assertThat(limiter.addressWait("203.0.113.1")).as("before failure %d", i).isNull();
      assertThat(limiter.failed("203.0.113.1", null)).as("failure %d", i).isNull();
    }
    Duration wait = limiter.addressWait("203.0.113.1");
    assertThat(wait).isEqualTo(Duration.ofSeconds(60 / PER_ADDRESS));
    assertThat(limiter.addressWait("203.0.113.2")).isNull();
    clock.advance(wait.minusMillis(1));
    assertThat(limiter.addressWait("203.0.113.1")).isEqualTo(Duration.ofSeconds(1));
    clock.advance(Duration.ofMillis(1));
    assertThat(limiter.addressWait("203.0.113.1")).isNull();
  }

  @Test
  void theAddressBudgetIsTheConfiguredOneAndRefillsAtItsRate() {
    AuthRateLimiter limiter = new AuthRateLimiter(clock, 3);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.failed("203.0.113.1", null)).as("failure %d", i).isNull();
    }
    assertThat(limiter.addressWait("203.0.113.1")).isEqualTo(Duration.ofSeconds(20));
    assertThat(limiter.failed("203.0.113.1", null)).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void aBudgetBelowOneIsRefused() {
    assertThatThrownBy(() -> new AuthRateLimiter(clock, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPrefixIsRefusedAfterItsBudgetWhateverTheAddress() {
    AuthRateLimiter limiter = new AuthRateLimiter(clock, PER_ADDRESS);
    for (int i = 0; i < AuthRateLimiter.PREFIX_FAILURES_PER_MINUTE; i++) {
      assertThat(limiter.failed("198.51.100." + i, "taw_AAAAAAAA")).isNull();
    }
    assertThat(limiter.failed("198.51.100.99", "taw_AAAAAAAA")).isPositive();
    assertThat(limiter.failed("198.51.100.99", "taw_AAAAAAAB")).isNull();
    assertThat(limiter.addressWait("198.51.100.99")).isNull();
  }

  @Test
  void theLimiterKeyOfASecretIsItsKindPrefixAndFirstCharacters() {
    String secret = new Secrets().newSecret(TokenKind.ACCOUNT_API);
    assertThat(AuthRateLimiter.prefixOf(TokenKind.ACCOUNT_API, secret))
        .isEqualTo(secret.substring(0, 4 + AuthRateLimiter.PREFIX_BODY_CHARS)).startsWith("taa_");
  }

  @Test
  void ipv6AddressesAreKeyedByTheirSlash64AndNothingIsLookedUp() {
    assertThat(AuthRateLimiter.addressKey("2001:db8:1:2::1")).isEqualTo(AuthRateLimiter.addressKey("2001:db8:1:2:ffff::9"))
        .isNotEqualTo(AuthRateLimiter.addressKey("2001:db8:1:3::1"));
    assertThat(AuthRateLimiter.addressKey("203.0.113.5")).isEqualTo("203.0.113.5");
    assertThat(AuthRateLimiter.addressKey("in-process")).isEqualTo("in-process");
    assertThat(AuthRateLimiter.addressKey(null)).isEqualTo("unknown");
  }

  @Test
  void manyDistinctAddressesAndPrefixesNeverGrowBeyondTheCap() {
    AuthRateLimiter limiter = new AuthRateLimiter(clock, PER_ADDRESS, 100);
    for (int i = 0; i < 5_000; i++) {
      limiter.failed("10." + (i / 65536) + "." + (i / 256 % 256) + "." + (i % 256), "taw_" + i);
    }
    assertThat(limiter.trackedKeys()).isLessThanOrEqualTo(200);
  }

  @Test
  void idleBucketsAreForgotten() {
    AuthRateLimiter limiter = new AuthRateLimiter(clock, PER_ADDRESS, 1_000);
    for (int i = 0; i < 50; i++) {
      limiter.failed("10.0.0." + i, "taw_" + i);
    }
    assertThat(limiter.trackedKeys()).isEqualTo(100);
    clock.advance(AuthRateLimiter.IDLE.plusSeconds(1));
    assertThat(limiter.trackedKeys()).isZero();
  }
}
