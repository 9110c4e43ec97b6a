package dev.tokenauthority.server.core;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Keyset paging as every listing here does it: newest first by (time, id), at most
 * {@link #MAX_SIZE} per page, and opaque page tokens naming where the previous page ended and
 * the filters it was listed with, so that a token can be refused with other filters.
 */
final class Paging {
  static final int DEFAULT_SIZE = 50;
  static final int MAX_SIZE = Limits.PAGE_SIZE;
  private static final String VERSION = "v1";

  private Paging() {}

  /** Where a page ended: its last item's time and id, and its listing's filters ("" for none). */
  record Position(Instant at, String id, String filters) {}

  /** The page size {@code requested} stands for (0: the default); out of range, a violation of {@code field}. */
  static int size(String field, int requested, Violations violations) {
    if (requested < 0 || requested > MAX_SIZE) {
      violations.add(field, "must be 1 to " + MAX_SIZE + ", or 0 for " + DEFAULT_SIZE);
    }
    return requested == 0 ? DEFAULT_SIZE : requested;
  }

  /** The token of the page after the one that ended at {@code at}/{@code id}. */
  static String token(Instant at, String id, String filters) {
    String text = VERSION + "\n" + at.toEpochMilli() + "\n" + id + "\n" + filters;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The position {@code token} names, or empty if it is not a token {@link #token} made. */
  static Optional<Position> position(String token) {
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split("\n", -1);
      if (parts.length != 4 || !parts[0].equals(VERSION) || parts[2].isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new Position(Instant.ofEpochMilli(Long.parseLong(parts[1])), parts[2], parts[3]));
    } catch (IllegalArgumentException | DateTimeException e) {
      return Optional.empty(); // bad base64 or number (NumberFormatException is an IllegalArgumentException)
    }
  }
}
