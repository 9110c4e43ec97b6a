package dev.tokenauthority.server.core;

import dev.tokenauthority.server.core.Directory.Module;
import dev.tokenauthority.server.store.Database;
import dev.tokenauthority.server.store.Rows.AccountRow;
import dev.tokenauthority.server.store.Rows.TokenModuleRow;
import dev.tokenauthority.server.store.Rows.TokenRow;
import dev.tokenauthority.server.store.Rows.UserRow;
import dev.tokenauthority.server.store.TokenRepository;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Seed 002's account API tokens after minting: read (never with the secret) with their
 * account and modules expanded and their audit trail (who created it, who last changed it,
 * e.g. by revoking it), listed, and revoked.
 */
public final class AccountApiTokens {
  private final TokenRepository repository;
  private final Directory directory;
  private final TokenLifecycle lifecycle;

  public AccountApiTokens(Database database, Directory directory, TokenLifecycle lifecycle) {
    this.repository = database.jdbi().onDemand(TokenRepository.class);
    this.directory = directory;
    this.lifecycle = lifecycle;
  }

  /** Who acted: a user, by the token they authenticated with ({@code tokenId} may be null). */
  public record Actor(String userId, String email, String tokenId) {}

  /** An account API token as callers see it, expanded. */
  public record View(TokenLifecycle.Token token, AccountRow account, List<Module> modules, Actor createdBy,
      Actor updatedBy) {}

  /** One page of account API tokens and the token of the next page ("" on the last). */
  public record Page(List<View> tokens, String nextPageToken) {}

  /** An account API token of the caller's tenant (requires {@code tokens:read}). */
  public View get(Principal caller, String id) {
    return expand(List.of(lifecycle.get(caller, TokenKind.ACCOUNT_API, id))).get(0);
  }

  /**
   * A page of the caller's tenant's account API tokens, newest first, of one account if
   * {@code accountId} is not empty, filtered by status ("" for any).
   */
  public Page list(Principal caller, String accountId, String status, int pageSize, String pageToken) {
    caller.require(Scopes.TOKENS_READ);
    Violations violations = new Violations();
    violations.optionalId("accountId", accountId);
    violations.throwIfAny();
    TokenLifecycle.Page page = lifecycle.list(caller, TokenKind.ACCOUNT_API,
        accountId == null || accountId.isEmpty() ? null : accountId, status, pageSize, pageToken,
        TokenLifecycle.PagingFields.CAMEL_CASE);
    return new Page(expand(page.tokens()), page.nextPageToken());
  }

  /** Revokes an account API token (requires {@code tokens:revoke}); idempotent. */
  public View revoke(Principal caller, String id) {
    return expand(List.of(lifecycle.revoke(caller, TokenKind.ACCOUNT_API, id))).get(0);
  }

  /**
   * Expands tokens of one tenant: their modules in one query, and each account, module and
   * updater looked up once however many tokens share it.
   */
  private List<View> expand(List<TokenLifecycle.Token> tokens) {
    if (tokens.isEmpty()) {
      return List.of();
    }
    Map<String, List<String>> moduleIds = new HashMap<>();
    for (TokenModuleRow granted : repository.findModuleIdsOf(tokens.stream().map(t -> t.row().id()).toList())) {
      moduleIds.computeIfAbsent(granted.tokenId(), id -> new ArrayList<>()).add(granted.moduleId());
    }
    String tenantId = tokens.get(0).row().tenantId();
    Map<String, AccountRow> accounts = new HashMap<>();
    Map<String, Module> modules = new HashMap<>();
    Map<String, String> emails = new HashMap<>();
    List<View> views = new ArrayList<>();
    for (TokenLifecycle.Token token : tokens) {
      TokenRow row = token.row();
      emails.putIfAbsent(row.createdByUserId(), token.creatorEmail());
      String updaterEmail = emails.computeIfAbsent(row.updatedByUserId(),
          userId -> directory.findUser(tenantId, userId).map(UserRow::email).orElse(""));
      views.add(new View(token,
          accounts.computeIfAbsent(row.resourceId(), accountId -> directory.requireAccount(tenantId, accountId)),
          moduleIds.getOrDefault(row.id(), List.of()).stream()
              .map(moduleId -> modules.computeIfAbsent(moduleId, id -> directory.requireModule(tenantId, id)))
              .toList(),
          new Actor(row.createdByUserId(), token.creatorEmail(), row.createdByTokenId()),
          new Actor(row.updatedByUserId(), updaterEmail, row.updatedByTokenId())));
    }
    return views;
  }
}
