package dev.tokenauthority.server.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Rate limits FAILED authentications (README "Brute force"), with token buckets (Bucket4j)
 * kept in two bounded maps (Caffeine): one per client address, one per token prefix. Only a
 * failure ever takes from a bucket; a successful authentication never costs anything.
 *
 * <ul>
 *   <li>Per client address ({@code --auth-failures-per-minute}, default 20, failures a minute,
 *       as a burst, refilling continuously): once an address has spent its budget, every credential
 *       it presents is refused with RESOURCE_EXHAUSTED <em>before</em> any lookup, so it learns
 *       nothing about the secrets it tries. IPv6 addresses count per /64 (what one host is
 *       usually given).
 *   <li>Per token prefix ({@value #PREFIX_FAILURES_PER_MINUTE} failures a minute): the kind
 *       prefix and the first {@value #PREFIX_BODY_CHARS} random characters of a well-formed
 *       secret. A wrong secret with an exhausted prefix is answered RESOURCE_EXHAUSTED instead
 *       of UNAUTHENTICATED; the secret is always checked first, so the holder of the right
 *       secret is never refused by this limit.
 * </ul>
 *
 * <p>A bucket that has been idle for {@link #IDLE} is full again, so it is forgotten; at most
 * {@code maxKeys} addresses and as many prefixes are tracked (Caffeine evicts beyond that).
 */
public final class AuthRateLimiter {
  /** Enough for a person mistyping or a client retrying a stale token; far too few for stuffing. */
  public static final int DEFAULT_ADDRESS_FAILURES_PER_MINUTE = 20;
  /** Failed authentications against one token prefix, in a burst and per minute. */
  public static final int PREFIX_FAILURES_PER_MINUTE = 10;
  /** How many random characters of a secret, after its kind prefix, make its limiter key. */
  public static final int PREFIX_BODY_CHARS = 8;
  /** At most this many addresses, and this many prefixes, are tracked at once. */
  public static final int MAX_KEYS = 100_000;
  /** An untouched bucket refills within a minute; after this long it is dropped. */
  static final Duration IDLE = Duration.ofMinutes(2);
  /** An IPv6 literal as ClientAddresses yields it (never a host name: no lookup can happen). */
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private final int addressFailuresPerMinute;
  private final TimeMeter time;
  private final Cache<String, Bucket> addresses;
  private final Cache<String, Bucket> prefixes;

  /**
   * Allows each client address {@code addressFailuresPerMinute} failures a minute, tracks at
   * most {@link #MAX_KEYS} keys, and is timed by {@code clock}.
   */
  public AuthRateLimiter(Clock clock, int addressFailuresPerMinute) {
    this(clock, addressFailuresPerMinute, MAX_KEYS);
  }

  AuthRateLimiter(Clock clock, int addressFailuresPerMinute, int maxKeys) {
    if (addressFailuresPerMinute < 1) {
      throw new IllegalArgumentException("addressFailuresPerMinute must be at least 1, not " + addressFailuresPerMinute);
    }
    this.addressFailuresPerMinute = addressFailuresPerMinute;
    this.time = new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
      }

      @Override
      public boolean isWallClockBased() {
        return true;
      }
    };
    Ticker ticker = time::currentTimeNanos;
    this.addresses = cache(ticker, maxKeys);
    this.prefixes = cache(ticker, maxKeys);
  }

  private static Cache<String, Bucket> cache(Ticker ticker, int maxKeys) {
    return Caffeine.newBuilder().maximumSize(maxKeys).expireAfterAccess(IDLE).ticker(ticker)
        .executor(Runnable::run).build();
  }

  /** The limiter key of a well-formed secret of {@code kind}: its kind prefix and first random characters. */
  static String prefixOf(TokenKind kind, String secret) {
    return secret.substring(0, kind.secretPrefix().length() + PREFIX_BODY_CHARS);
  }

  /**
   * How long {@code clientAddress} must wait before it may present a credential again, or
   * null if it may now. Takes nothing from its budget.
   */
  Duration addressWait(String clientAddress) {
    Bucket bucket = addresses.getIfPresent(addressKey(clientAddress));
    if (bucket == null) {
      return null;
    }
    EstimationProbe probe = bucket.estimateAbilityToConsume(1);
    return probe.canBeConsumed() ? null : retryDelay(probe.getNanosToWaitForRefill());
  }

  /**
   * Charges one failed authentication to {@code clientAddress} and, if not null, to
   * {@code prefix}. Returns how long to wait if either budget was already spent (the failure
   * is to be answered as rate limited), else null.
   */
  Duration failed(String clientAddress, String prefix) {
    Duration wait = charge(addresses.get(addressKey(clientAddress), key -> newBucket(addressFailuresPerMinute)));
    if (prefix != null) {
      Duration prefixWait = charge(prefixes.get(prefix, key -> newBucket(PREFIX_FAILURES_PER_MINUTE)));
      if (prefixWait != null && (wait == null || prefixWait.compareTo(wait) > 0)) {
        wait = prefixWait;
      }
    }
    return wait;
  }

  /** How many addresses and prefixes are tracked now (after pending evictions). */
  long trackedKeys() {
    addresses.cleanUp();
    prefixes.cleanUp();
    return addresses.estimatedSize() + prefixes.estimatedSize();
  }

  private Bucket newBucket(int perMinute) {
    return Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
        .withCustomTimePrecision(time)
        .build();
  }

  private static Duration charge(Bucket bucket) {
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    return probe.isConsumed() ? null : retryDelay(probe.getNanosToWaitForRefill());
  }

  /** Whole seconds, rounded up, at least one: what Retry-After can say. */
  private static Duration retryDelay(long nanos) {
    return Duration.ofSeconds(Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L));
  }

  /** An address as its own key; an IPv6 address as its /64 network. */
  static String addressKey(String clientAddress) {
    if (clientAddress == null) {
      return "unknown";
    }
    if (IPV6.matcher(clientAddress).matches()) {
      try {
        byte[] bytes = InetAddress.getByName(clientAddress).getAddress();
        if (bytes.length == 16) {
          return HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
        }
      } catch (UnknownHostException e) {
        return clientAddress; // not a valid literal after all: key on the text
      }
    }
    return clientAddress;
  }
}
