package dev.tokenauthority.server.core;

/**
 * Every validation limit of a request field, in one place (the README's "Limits" table lists
 * them; reliability/LimitsTest tries each at and one past the limit over gRPC and REST). A
 * value past a limit is INVALID_ARGUMENT naming the field (HTTP 400). Lengths count Unicode
 * code points.
 */
public final class Limits {
  private Limits() {}

  /** Token names (all kinds; seed 004: "Maximum 100 characters") and tenant names. */
  public static final int NAME = 100;
  /** Client-given object IDs and references to them: 1 to 100 of {@code A-Za-z0-9._-}. */
  public static final int ID = 100;
  /** Display names and titles of directory objects; users' names, title, business group. */
  public static final int DISPLAY_NAME = 200;
  /** Free text and URLs: descriptions, icons, a user's bio and image, favourite links. */
  public static final int LONG_TEXT = 2000;
  /** Short codes: a user's type, an account's type. */
  public static final int TYPE = 50;
  /** Email addresses (RFC 5321's path limit). */
  public static final int EMAIL = 254;
  /** A user's roles, and the characters of each. */
  public static final int ROLES = 50;
  public static final int ROLE = 100;
  /** A user's favourite links. */
  public static final int FAVORITE_LINKS = 100;
  /** A module's types, and the characters of each. */
  public static final int MODULE_TYPES = 20;
  public static final int MODULE_TYPE = 100;
  /** A module's filters: keys, the characters of a key, values per key, characters of a value. */
  public static final int FILTER_KEYS = 50;
  public static final int FILTER_KEY = 200;
  public static final int FILTER_VALUES = 100;
  public static final int FILTER_VALUE = 1000;
  /** Modules an account API token grants. */
  public static final int MODULES = 50;
  /** Scopes a token or user may list (each from the catalog, without duplicates). */
  public static final int SCOPES = 50;
  /** Items per page of every listing. */
  public static final int PAGE_SIZE = 500;
  /** An access check's action (a scope name) and resource ({@code records/<id>}). */
  public static final int ACTION = 100;
  public static final int RESOURCE = 1000;
}
