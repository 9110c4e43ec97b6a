package dev.tokenauthority.server.core;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What an audit event records, by its wire name ({@link #code()}, e.g. {@code token.mint}),
 * which is what the audit listing shows and filters on.
 *
 * <p>{@link #TOKEN_UPDATE}, {@link #TOKEN_REVOKE}, {@link #TOKEN_REVOKE_BULK} and
 * {@link #SIGNING_KEY_ROTATE} are recorded by the token update, revocation and key rotation
 * code, which lands separately; they are listed here so that the one catalog of actions
 * (and the listing's {@code action} filter) is complete from the start.
 */
public enum AuditAction {
  /** A token of any kind was minted; details name the kind. */
  TOKEN_MINT("token.mint"),
  /** A token's name, scopes, expiry or similar changed. */
  TOKEN_UPDATE("token.update"),
  /** One token was revoked. */
  TOKEN_REVOKE("token.revoke"),
  /** Many tokens were revoked at once (for example every token of a user); details say how many. */
  TOKEN_REVOKE_BULK("token.revoke_bulk"),
  /** A new JWT signing key took over. */
  SIGNING_KEY_ROTATE("signing_key.rotate"),
  /** A call presented no credential or one that does not authenticate; never the credential itself. */
  AUTH_FAILURE("auth.failure"),
  /**
   * Failed authentications beyond the per-second budget were counted, not recorded one by one;
   * details say how many and since when (see {@link Audit}).
   */
  AUTH_FAILURES_SUPPRESSED("auth.failures_suppressed"),
  /** A tenant was created (with its first admin and admin token, recorded separately). */
  TENANT_CREATE("tenant.create"),
  /** A user was created; details list the scopes granted. */
  USER_CREATE("user.create"),
  /** A Workboard record was created. */
  RECORD_CREATE("record.create"),
  /** An account was created. */
  ACCOUNT_CREATE("account.create"),
  /** A module was created. */
  MODULE_CREATE("module.create");

  private final String code;

  AuditAction(String code) {
    this.code = code;
  }

  /** The wire name: what the audit log stores, lists and filters by. */
  public String code() {
    return code;
  }

  /** The action named {@code code}, if there is one. */
  public static Optional<AuditAction> ofCode(String code) {
    return Arrays.stream(values()).filter(a -> a.code.equals(code)).findFirst();
  }

  /** Every wire name, in declaration order (for error messages). */
  public static List<String> codes() {
    return Arrays.stream(values()).map(AuditAction::code).toList();
  }
}
