package dev.tokenauthority.server.core;

import dev.tokenauthority.server.core.Failure.FieldViolation;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Collects every bad field of a request, so one answer names them all. */
final class Violations {
  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1," + Limits.ID + "}");

  private final List<FieldViolation> found = new ArrayList<>();

  void add(String field, String description) {
    found.add(new FieldViolation(field, description));
  }

  /** Checks a free-text field: {@code min}..{@code max} characters, no control characters. */
  void text(String field, String value, int min, int max) {
    int length = value == null ? 0 : value.codePointCount(0, value.length());
    if (min > 0 && length == 0) {
      add(field, Failure.REQUIRED);
    } else if (length < min || length > max) {
      add(field, "must be " + min + " to " + max + " characters long (got " + length + ")");
    } else if (value != null && CONTROL.matcher(value).find()) {
      add(field, "must not contain control characters");
    }
  }

  /** Checks an optional object ID given by a client. */
  void optionalId(String field, String value) {
    if (value != null && !value.isEmpty() && !ID.matcher(value).matches()) {
      add(field, "must be 1 to " + Limits.ID + " of A-Z a-z 0-9 . _ -");
    }
  }

  /** Checks a required reference to an object ID. */
  void requiredId(String field, String value) {
    if (value == null || value.isEmpty()) {
      add(field, Failure.REQUIRED);
    } else {
      optionalId(field, value);
    }
  }

  void throwIfAny() {
    if (!found.isEmpty()) {
      throw Failure.invalid(found);
    }
  }
}
