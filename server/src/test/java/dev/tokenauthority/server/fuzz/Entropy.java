package dev.tokenauthority.server.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

/**
 * Where a generated request's choices come from: Jazzer's {@link FuzzedDataProvider} when
 * fuzzing (so coverage guides the choices), or a byte array from jqwik in the property tests
 * (so a failing case shrinks towards fewer, smaller bytes: the simplest request). Once the
 * bytes run out every choice is the first option, which keeps generated requests finite.
 */
public interface Entropy {
  /** A number in {@code [0, bound)}. */
  int below(int bound);

  /** A number in {@code [min, max]}. */
  long between(long min, long max);

  /** Free text of at most {@code maxLength} chars, any code points. */
  String text(int maxLength);

  default boolean flip() {
    return below(2) == 1;
  }

  default <T> T pick(java.util.List<T> options) {
    return options.get(below(options.size()));
  }

  static Entropy of(FuzzedDataProvider data) {
    return new Entropy() {
      @Override
      public int below(int bound) {
        return bound <= 1 ? 0 : data.consumeInt(0, bound - 1);
      }

      @Override
      public long between(long min, long max) {
        return data.consumeLong(min, max);
      }

      @Override
      public String text(int maxLength) {
        return data.consumeString(maxLength);
      }
    };
  }

  static Entropy of(byte[] bytes) {
    return new Entropy() {
      private int at;

      private int next() {
        return at < bytes.length ? bytes[at++] & 0xff : 0;
      }

      @Override
      public int below(int bound) {
        if (bound <= 1) {
          return 0;
        }
        int value = bound <= 256 ? next() : (next() << 8) | next();
        return value % bound;
      }

      @Override
      public long between(long min, long max) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
          value = (value << 8) | next();
        }
        long span = max - min + 1;
        return span <= 0 ? min + value : min + Math.floorMod(value, span);
      }

      @Override
      public String text(int maxLength) {
        int length = below(Math.min(maxLength, 255) + 1);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
          int kind = below(4);
          text.appendCodePoint(switch (kind) {
            case 0 -> 'a' + below(26);
            case 1 -> 0x20 + below(0x5f); // printable ASCII
            case 2 -> 0xa0 + below(0x2000); // Latin, Greek, Cyrillic, ...
            default -> 0x1f600 + below(0x50); // emoji: two chars each
          });
        }
        return text.toString();
      }
    };
  }
}
