package dev.tokenauthority.server.fuzz;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import dev.tokenauthority.server.core.Scopes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds a request message of any type from its descriptor, field by field, with values a
 * caller might plausibly send and the ones that probe limits: empty, whitespace, lengths at
 * and one past each documented limit (in chars and in code points), unicode, control
 * characters, huge and negative numbers, expiries in the past and past the latest allowed,
 * duplicated and unknown scopes, unknown IDs, output-only fields set, lists at their limit.
 * Names decide the pools (a field named {@code scopes} gets scopes, {@code email} emails).
 */
public final class RequestGenerator {
  /** The IDs of the directory objects every fuzzed server has (see {@link FuzzServer}). */
  public static final List<String> KNOWN_IDS = List.of("rec-1", "acc-1", "mod-1", "mod-2");

  private static final List<String> TEXT = List.of("", " ", "\t", "x", "Invoice 1", "CI deploy", "a".repeat(50),
      "a".repeat(51), "a".repeat(100), "a".repeat(101), "a".repeat(200), "a".repeat(201), "é".repeat(100),
      "😀".repeat(100), "😀".repeat(101), "line\nbreak", "nul\u0000", "\u202eevil", "  padded  ", "null",
      "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd", "%00%ff", "a".repeat(2000), "a".repeat(2001),
      "{\"json\": true}", "日本語のトークン");
  private static final List<String> SCOPES;
  private static final List<String> IDS = List.of("rec-1", "acc-1", "mod-1", "mod-2", "missing-1", "", " ", "a.b_c-d",
      "a".repeat(100), "a".repeat(101), "bad id", "bad/id", "é", "..", "rec-1\n", "usr_000000000000000000000000",
      "tok_000000000000000000000000", "00000000-0000-0000-0000-000000000000");
  private static final List<String> EMAILS = List.of("a@example.com", "first.last+tag@example.co.uk", "no-at-sign",
      "@example.com", "a@", "a@b", "", " ", "a".repeat(243) + "@example.com", "a".repeat(242) + "@example.com",
      "ü@exämple.com", "a@example.com\n", "A@EXAMPLE.COM", "\"q\"@example.com");
  private static final List<Long> INTEGERS = List.of(0L, 1L, -1L, 59L, 60L, 3600L, 43_199L, 43_200L, 43_201L,
      86_400L, 2_592_000L, 2_592_001L, (long) Integer.MAX_VALUE, (long) Integer.MIN_VALUE, Long.MAX_VALUE,
      Long.MIN_VALUE, 1L << 31, 1L << 40);
  private static final long MAX_SECONDS = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
  private static final long MIN_SECONDS = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();

  static {
    List<String> scopes = new ArrayList<>(Scopes.CATALOG);
    scopes.addAll(List.of("TOKENS:READ", " tokens:read", "tokens:read ", "tokens:read tokens:write", "tokens:*",
        "unknown:scope", "", "tokens", "tokens:read\u0000", "openid"));
    SCOPES = List.copyOf(scopes);
  }

  /** Makes "valid" names, emails and IDs unique across one JVM (names and emails must be unique). */
  private static final java.util.concurrent.atomic.AtomicLong UNIQUE = new java.util.concurrent.atomic.AtomicLong();

  private final Entropy entropy;
  private final boolean validTimesOnly;
  private final Instant now;
  private final boolean plausible;

  /**
   * @param validTimesOnly only timestamps that RFC 3339 can write (0001..9999), so the same
   *     request can be sent as JSON; otherwise also seconds and nanos no Timestamp allows
   */
  public RequestGenerator(Entropy entropy, boolean validTimesOnly, Instant now) {
    this(entropy, validTimesOnly, now, false);
  }

  /**
   * @param plausible mostly values a well-behaved caller sends (unique names, known IDs,
   *     catalog scopes, lifetimes in range, future expiries), one in five from the probing
   *     pools, so that a share of requests is accepted and the accepted path is tested too
   *     (the property tests); otherwise every value comes from the probing pools (fuzzing)
   */
  public RequestGenerator(Entropy entropy, boolean validTimesOnly, Instant now, boolean plausible) {
    this.entropy = entropy;
    this.validTimesOnly = validTimesOnly;
    this.now = now;
    this.plausible = plausible;
  }

  /** In plausible mode, whether this value is a well-behaved one (four in five). */
  private boolean wellBehaved() {
    return plausible && entropy.below(5) != 4;
  }

  /** A message of {@code type}: every field set or left out by choice. */
  public DynamicMessage message(Descriptor type) {
    return message(type, 0);
  }

  private DynamicMessage message(Descriptor type, int depth) {
    DynamicMessage.Builder message = DynamicMessage.newBuilder(type);
    if (type.getFullName().equals(Timestamp.getDescriptor().getFullName())) {
      Timestamp time = timestamp();
      message.setField(type.findFieldByName("seconds"), time.getSeconds());
      message.setField(type.findFieldByName("nanos"), time.getNanos());
      return message.build();
    }
    for (FieldDescriptor field : type.getFields()) {
      if (entropy.below(plausible ? 3 : 4) == 0) {
        continue; // left out
      }
      if (field.isMapField()) {
        int entries = wellBehaved() ? entropy.below(3) : entropy.pick(List.of(0, 1, 2, 3, 50, 51));
        for (int i = 0; i < entries; i++) {
          DynamicMessage.Builder entry = DynamicMessage.newBuilder(field.getMessageType());
          FieldDescriptor key = field.getMessageType().findFieldByName("key");
          FieldDescriptor value = field.getMessageType().findFieldByName("value");
          entry.setField(key, entries > 3 ? "k" + i : string(key));
          entry.setField(value, single(value, depth + 1));
          message.addRepeatedField(field, entry.build());
        }
      } else if (field.isRepeated()) {
        int count = wellBehaved() ? 1 + entropy.below(3) : entropy.pick(List.of(0, 1, 1, 2, 2, 3, 5, 20, 21, 50, 51));
        for (int i = 0; i < count; i++) {
          message.addRepeatedField(field, single(field, depth + 1));
        }
      } else {
        message.setField(field, single(field, depth + 1));
      }
    }
    return message.build();
  }

  private Object single(FieldDescriptor field, int depth) {
    return switch (field.getJavaType()) {
      case STRING -> string(field);
      case INT -> (int) integer();
      case LONG -> integer();
      case BOOLEAN -> entropy.flip();
      case FLOAT -> (float) integer();
      case DOUBLE -> (double) integer();
      case BYTE_STRING -> com.google.protobuf.ByteString.copyFromUtf8(entropy.text(16));
      case ENUM -> {
        List<EnumValueDescriptor> values = field.getEnumType().getValues();
        yield values.get(entropy.below(values.size()));
      }
      case MESSAGE -> {
        Descriptor type = field.getMessageType();
        if (type.getFullName().equals(ListValue.getDescriptor().getFullName())) {
          yield parse(type, listValue(depth).toByteString());
        }
        if (type.getFullName().equals(Value.getDescriptor().getFullName())) {
          yield parse(type, value(depth).toByteString());
        }
        yield depth > 4 ? DynamicMessage.getDefaultInstance(type) : message(type, depth);
      }
    };
  }

  /** {@code bytes} as a message of {@code type} (which may come from another descriptor pool than the compiled one). */
  private static DynamicMessage parse(Descriptor type, com.google.protobuf.ByteString bytes) {
    try {
      return DynamicMessage.parseFrom(type, bytes);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private String string(FieldDescriptor field) {
    String name = field.getName().toLowerCase(Locale.ROOT);
    if (wellBehaved()) {
      if (name.contains("scope")) {
        return Scopes.CATALOG.get(entropy.below(Scopes.CATALOG.size()));
      }
      if (name.contains("email")) {
        return "user" + UNIQUE.incrementAndGet() + "@example.com";
      }
      if (name.equals("id") || name.endsWith("_id") || name.equals("record") || name.equals("key")) {
        return entropy.pick(List.of("", "rec-1", "acc-1", "mod-1", "mod-2", "new-" + UNIQUE.incrementAndGet()));
      }
      String unique = Long.toString(UNIQUE.incrementAndGet());
      if (entropy.below(3) == 0) { // exactly at a documented limit, counted in code points
        int limit = entropy.pick(List.of(50, 100, 200, 2000));
        return unique + entropy.pick(List.of("a", "é", "😀", "日")).repeat(limit - unique.length());
      }
      return entropy.pick(List.of("Name ", "Zoë ", "CI deploy ", "日本 ", "😀 ")) + unique;
    }
    int source = entropy.below(8);
    if (source == 0) {
      return entropy.text(entropy.flip() ? 20 : 300); // anything at all
    }
    if (name.contains("scope")) {
      return entropy.pick(SCOPES);
    }
    if (name.contains("email")) {
      return entropy.pick(EMAILS);
    }
    if (name.equals("id") || name.endsWith("_id") || name.equals("record") || name.equals("key")) {
      return entropy.pick(IDS);
    }
    return source == 1 ? entropy.pick(IDS) : entropy.pick(TEXT);
  }

  private long integer() {
    if (wellBehaved()) {
      return entropy.between(1, 3600);
    }
    return entropy.below(4) == 0 ? entropy.between(-100_000, 3_000_000) : entropy.pick(INTEGERS);
  }

  private Timestamp timestamp() {
    if (wellBehaved()) {
      Instant at = now.plusSeconds(entropy.between(3600, 86_400 * 365L));
      return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }
    int kind = entropy.below(validTimesOnly ? 9 : 12);
    Instant at = switch (kind) {
      case 0 -> now.minus(Duration.ofDays(1));
      case 1 -> now;
      case 2 -> now.plusSeconds(entropy.between(1, 3600));
      case 3 -> now.plus(Duration.ofDays(365 * 50));
      case 4 -> Instant.parse("9999-12-31T23:59:59.999Z");
      case 5 -> Instant.parse("9999-12-31T23:59:59.999999999Z");
      case 6 -> Instant.parse("0001-01-01T00:00:00Z");
      case 7 -> Instant.EPOCH;
      default -> Instant.ofEpochSecond(entropy.between(MIN_SECONDS, MAX_SECONDS), entropy.between(0, 999_999_999));
    };
    if (kind < 9) {
      return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }
    // Not a valid Timestamp: out of range, or negative / too many nanos.
    return Timestamp.newBuilder().setSeconds(entropy.pick(List.of(MAX_SECONDS + 1, MIN_SECONDS - 1, Long.MAX_VALUE,
        Long.MIN_VALUE, now.getEpochSecond() + 60))).setNanos(entropy.pick(List.of(0, -1, 1_000_000_000,
        Integer.MAX_VALUE))).build();
  }

  private Value value(int depth) {
    return switch (entropy.below(depth > 3 ? 4 : 6)) {
      case 0 -> Value.newBuilder().setStringValue(freeText()).build();
      case 1 -> Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
      case 2 -> Value.newBuilder().setNumberValue(integer()).build();
      case 3 -> Value.newBuilder().setBoolValue(entropy.flip()).build();
      case 4 -> Value.newBuilder().setListValue(listValue(depth + 1)).build();
      default -> Value.newBuilder().setStructValue(com.google.protobuf.Struct.newBuilder()
          .putFields(entropy.pick(TEXT), value(depth + 1))).build();
    };
  }

  private ListValue listValue(int depth) {
    ListValue.Builder list = ListValue.newBuilder();
    int count = entropy.pick(List.of(0, 1, 2, 3, 100, 101));
    boolean strings = entropy.below(4) != 0;
    for (int i = 0; i < count; i++) {
      list.addValues(strings ? Value.newBuilder().setStringValue(count > 3 ? "v" + i : freeText()).build()
          : value(depth + 1));
    }
    return list.build();
  }

  private String freeText() {
    return entropy.below(8) == 0 ? entropy.text(40) : entropy.pick(TEXT);
  }
}
