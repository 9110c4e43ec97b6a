package dev.tokenauthority.cli;

import static dev.tokenauthority.cli.Output.time;

import dev.tokenauthority.cli.Output.Column;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.ApiToken;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.FaultToken;
import dev.tokenauthority.v1.ListAccessTokensRequest;
import dev.tokenauthority.v1.ListAccessTokensResponse;
import dev.tokenauthority.v1.ListApiTokensRequest;
import dev.tokenauthority.v1.ListApiTokensResponse;
import dev.tokenauthority.v1.ListFaultTokensRequest;
import dev.tokenauthority.v1.ListFaultTokensResponse;
import dev.tokenauthority.v1.ListRecordTokensRequest;
import dev.tokenauthority.v1.ListRecordTokensResponse;
import dev.tokenauthority.v1.ListWorkspaceTokensRequest;
import dev.tokenauthority.v1.ListWorkspaceTokensResponse;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.RecordToken;
import dev.tokenauthority.v1.ResolveShareLinkResponse;
import dev.tokenauthority.v1.WorkspaceToken;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The five token kinds: create (mint), list, get, revoke (one or many IDs), plus each kind's extras. */
final class TokenCommands {
  private TokenCommands() {}

  static final List<Column<WorkspaceToken>> WORKSPACE = List.of(
      new Column<>("ID", WorkspaceToken::getId),
      new Column<>("NAME", WorkspaceToken::getName),
      new Column<>("STATUS", WorkspaceToken::getStatus),
      new Column<>("SCOPES", t -> String.join(",", t.getScopesList())),
      new Column<>("CREATED", t -> time(t.getCreatedAt())),
      new Column<>("EXPIRES", t -> time(t.getExpiresAt())),
      new Column<>("LAST-USED", t -> time(t.getLastUsedAt())),
      new Column<>("CREATED-BY", WorkspaceToken::getCreatedBy));

  static final List<Column<AccessToken>> ACCESS = List.of(
      new Column<>("ID", AccessToken::getId),
      new Column<>("NAME", AccessToken::getName),
      new Column<>("STATUS", AccessToken::getStatus),
      new Column<>("USER", AccessToken::getUserId),
      new Column<>("CREATED", t -> time(t.getCreatedOn())),
      new Column<>("EXPIRES", t -> time(t.getExpiresAt())),
      new Column<>("SEQ", t -> Integer.toString(t.getChangeSequence())));

  static final List<Column<ApiToken>> API = List.of(
      new Column<>("ID", ApiToken::getId),
      new Column<>("NAME", ApiToken::getName),
      new Column<>("STATUS", ApiToken::getStatus),
      new Column<>("ACCOUNT", t -> t.getAccount().getId()),
      new Column<>("MODULES", t -> t.getModulesList().stream().map(Module::getId).collect(Collectors.joining(","))),
      new Column<>("CREATED", t -> time(t.getAudit().getCreated().getAt())),
      new Column<>("LAST-ACCESS", t -> time(t.getLastAccessAt())));

  static final List<Column<RecordToken>> RECORD = List.of(
      new Column<>("KEY", RecordToken::getKey),
      new Column<>("RECORD", RecordToken::getRecordId),
      new Column<>("STATUS", RecordToken::getStatus),
      new Column<>("USER", RecordToken::getUserId),
      new Column<>("CREATED", t -> time(t.getCreatedAt())),
      new Column<>("EXPIRES", t -> time(t.getExpiresAt())));

  static final List<Column<FaultToken>> FAULT = List.of(
      new Column<>("ID", FaultToken::getId),
      new Column<>("STATUS", FaultToken::getStatus),
      new Column<>("TYPE", FaultToken::getType),
      new Column<>("EXPIRES", t -> time(t.getExpiresAt())),
      new Column<>("SHORT-LINK", FaultToken::getShortLink));

  @Command(name = "workspace-token", mixinStandardHelpOptions = true,
      description = "Workspace tokens (seed 004): scoped bearer tokens for the API itself.")
  static final class WorkspaceTokens extends Group {
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Mint a workspace token; prints its secret once.")
    int create(
        @Option(names = "--name", required = true, description = "What it is for.") String name,
        @Option(names = "--scope", required = true, split = ",", paramLabel = "SCOPE",
            description = "Scopes to grant (repeat or comma-separate), at most the caller's: tokens:read, tokens:write, ...")
        List<String> scopes,
        @Option(names = "--expires-at", paramLabel = "WHEN", description = "An instant (2027-01-01T00:00:00Z) or a lifetime (30d); default: never.")
        String expiresAt) {
      CreateWorkspaceTokenRequest.Builder request = CreateWorkspaceTokenRequest.newBuilder().setName(name).addAllScopes(scopes);
      if (expiresAt != null) {
        request.setExpiresAt(expiry(expiresAt));
      }
      WorkspaceToken token = client().createWorkspaceToken(request.build());
      return show(token, WORKSPACE, token.getToken());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The tenant's workspace tokens, newest first.")
    int list(@Mixin ListOptions options, @Option(names = "--status", defaultValue = "", paramLabel = "STATUS",
            description = "Only tokens in this status (active, revoked, expired).") String status) {
      return list(options, page -> client().listWorkspaceTokens(ListWorkspaceTokensRequest.newBuilder()
          .setPageSize(options.pageSize).setPageToken(page).setStatus(status).build()),
          ListWorkspaceTokensResponse::getTokensList, WORKSPACE);
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "One workspace token (never its secret).")
    int get(@Parameters(paramLabel = "ID") String id) {
      return show(client().getWorkspaceToken(id), WORKSPACE, null);
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke workspace tokens (idempotent).")
    int revoke(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
      return revokeEach(ids, id -> client().revokeWorkspaceToken(id), WORKSPACE);
    }
  }

  @Command(name = "access-token", mixinStandardHelpOptions = true,
      description = "User access tokens (seed 003); their callers authenticate with x-api-key (--api-key).")
  static final class AccessTokens extends Group {
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Mint an access token; prints its secret once.")
    int create(
        @Option(names = "--name", required = true) String name,
        @Option(names = "--expires-at", paramLabel = "WHEN", description = "An instant or a lifetime (30d); default: never.")
        String expiresAt,
        @Option(names = "--user-id", description = "For another user of the tenant (default: the caller).") String userId) {
      AccessToken.Builder token = AccessToken.newBuilder().setName(name);
      if (expiresAt != null) {
        token.setExpiresAt(expiry(expiresAt));
      }
      if (userId != null) {
        token.setUserId(userId);
      }
      AccessToken created = client().createAccessToken(token.build());
      return show(created, ACCESS, created.getToken());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The tenant's access tokens, newest first.")
    int list(@Mixin ListOptions options, @Option(names = "--status", defaultValue = "", paramLabel = "STATUS",
            description = "Only tokens in this status (active, revoked, expired).") String status) {
      return list(options, page -> client().listAccessTokens(ListAccessTokensRequest.newBuilder()
          .setPageSize(options.pageSize).setPageToken(page).setStatus(status).build()),
          ListAccessTokensResponse::getAccessTokensList, ACCESS);
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "One access token (never its secret).")
    int get(@Parameters(paramLabel = "ID") String id) {
      return show(client().getAccessToken(id), ACCESS, null);
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
        description = "Rename an access token or change its expiry. Reads it first unless --change-sequence is given;"
            + " a concurrent change makes this fail with exit code 4.")
    int update(
        @Parameters(paramLabel = "ID") String id,
        @Option(names = "--name") String name,
        @Option(names = "--expires-at", paramLabel = "WHEN") String expiresAt,
        @Option(names = "--no-expiry", description = "Remove the expiry.") boolean noExpiry,
        @Option(names = "--change-sequence", paramLabel = "N", description = "The change sequence read (default: read it now).")
        Integer changeSequence) {
      if (expiresAt != null && noExpiry) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--expires-at and --no-expiry exclude each other");
      }
      AccessToken current = client().getAccessToken(id);
      AccessToken.Builder token = AccessToken.newBuilder()
          .setName(name != null ? name : current.getName())
          .setChangeSequence(changeSequence != null ? changeSequence : current.getChangeSequence());
      if (expiresAt != null) {
        token.setExpiresAt(expiry(expiresAt));
      } else if (!noExpiry && current.hasExpiresAt()) {
        token.setExpiresAt(current.getExpiresAt());
      }
      return show(client().updateAccessToken(id, token.build()), ACCESS, null);
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke access tokens (idempotent).")
    int revoke(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
      return revokeEach(ids, id -> client().revokeAccessToken(id), ACCESS);
    }
  }

  @Command(name = "api-token", mixinStandardHelpOptions = true, description = "Account API tokens (seed 002) granting modules.")
  static final class ApiTokens extends Group {
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Mint an account API token; prints its secret once.")
    int create(
        @Option(names = "--account", required = true, paramLabel = "ACCOUNT-ID") String account,
        @Option(names = "--name") String name,
        @Option(names = "--description") String description,
        @Option(names = "--module", split = ",", paramLabel = "MODULE-ID", description = "Modules to grant (repeat or comma-separate).")
        List<String> modules) {
      ApiToken.Builder token = ApiToken.newBuilder().setAccount(Account.newBuilder().setId(account));
      if (name != null) {
        token.setName(name);
      }
      if (description != null) {
        token.setDescription(description);
      }
      if (modules != null) {
        modules.forEach(m -> token.addModules(Module.newBuilder().setId(m)));
      }
      ApiToken created = client().createApiToken(token.build());
      return show(created, API, created.getToken());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The tenant's account API tokens, newest first.")
    int list(@Mixin ListOptions options, @Option(names = "--status", defaultValue = "", paramLabel = "STATUS",
            description = "Only tokens in this status (active, revoked, expired).") String status,
        @Option(names = "--account", paramLabel = "ACCOUNT-ID", description = "Only this account's.") String account) {
      return list(options, page -> client().listApiTokens(ListApiTokensRequest.newBuilder()
          .setPageSize(options.pageSize).setPageToken(page).setStatus(status)
          .setAccountId(account == null ? "" : account).build()),
          ListApiTokensResponse::getApiTokensList, API);
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "One account API token (never its secret).")
    int get(@Parameters(paramLabel = "ID") String id) {
      return show(client().getApiToken(id), API, null);
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke account API tokens (idempotent).")
    int revoke(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
      return revokeEach(ids, id -> client().revokeApiToken(id), API);
    }
  }

  @Command(name = "record-token", mixinStandardHelpOptions = true, description = "Record tokens (seed 000): JWTs that may update one record.")
  static final class RecordTokens extends Group {
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Mint a record token; prints the JWT once.")
    int create(
        @Option(names = "--record", required = true, paramLabel = "RECORD-ID") String record,
        @Option(names = "--expires-in", paramLabel = "DURATION", converter = TaCommand.DurationConverter.class,
            description = "Lifetime: 90m, 12h, 7d (default: the server's, 1 day).") Duration expiresIn) {
      RecordToken token = client().createRecordToken(record, expiresIn == null ? null : expiresIn.toSeconds());
      return show(token, RECORD, token.getToken());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "One record's tokens, newest first.")
    int list(@Mixin ListOptions options, @Option(names = "--status", defaultValue = "", paramLabel = "STATUS",
            description = "Only tokens in this status (active, revoked, expired).") String status, @Option(names = "--record", required = true, paramLabel = "RECORD-ID") String record) {
      return list(options, page -> client().listRecordTokens(ListRecordTokensRequest.newBuilder().setRecord(record)
          .setPageSize(options.pageSize).setPageToken(page).setStatus(status).build()),
          ListRecordTokensResponse::getTokensList, RECORD);
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "One record token by record and key (never its JWT).")
    int get(@Option(names = "--record", required = true, paramLabel = "RECORD-ID") String record,
        @Parameters(paramLabel = "KEY") String key) {
      return show(client().getRecordToken(record, key), RECORD, null);
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke record tokens (idempotent).")
    int revoke(@Option(names = "--record", required = true, paramLabel = "RECORD-ID") String record,
        @Parameters(paramLabel = "KEY", arity = "1..*") List<String> keys) {
      return revokeEach(keys, key -> client().revokeRecordToken(record, key), RECORD);
    }
  }

  @Command(name = "fault-token", mixinStandardHelpOptions = true,
      description = "Fault tokens (seed 001): read-only JWTs with a share link.")
  static final class FaultTokens extends Group {
    @Command(name = "create", aliases = "generate", mixinStandardHelpOptions = true,
        description = "Mint a fault token; prints the JWT and share link once.")
    int create(@Option(names = "--expire-after-minutes", required = true, paramLabel = "N") int minutes) {
      FaultToken token = client().generateFaultToken(minutes);
      int code = show(token, FAULT, token.getToken());
      if (token.hasShortLink()) {
        output().note("share link: " + token.getShortLink());
      }
      return code;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The tenant's fault tokens, newest first.")
    int list(@Mixin ListOptions options, @Option(names = "--status", defaultValue = "", paramLabel = "STATUS",
            description = "Only tokens in this status (active, revoked, expired).") String status) {
      return list(options, page -> client().listFaultTokens(ListFaultTokensRequest.newBuilder()
          .setPageSize(options.pageSize).setPageToken(page).setStatus(status).build()),
          ListFaultTokensResponse::getTokensList, FAULT);
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "One fault token (never its JWT or link).")
    int get(@Parameters(paramLabel = "ID") String id) {
      return show(client().getFaultToken(id), FAULT, null);
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke fault tokens and their share links (idempotent).")
    int revoke(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
      return revokeEach(ids, id -> client().revokeFaultToken(id), FAULT);
    }

    @Command(name = "resolve", mixinStandardHelpOptions = true,
        description = "Where a share link's code leads while its token is active (needs no credential).")
    int resolve(@Parameters(paramLabel = "CODE", description = "The last path segment of the short link.") String code) {
      ResolveShareLinkResponse response = ta().publicClient().resolveShareLink(code);
      output().print(response, List.of(response), List.of(new Column<>("LOCATION", ResolveShareLinkResponse::getLocation)));
      return ExitCodes.OK;
    }
  }
}
