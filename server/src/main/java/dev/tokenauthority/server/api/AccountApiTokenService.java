package dev.tokenauthority.server.api;

import dev.tokenauthority.server.core.AccountApiTokens;
import dev.tokenauthority.server.core.Principal;
import dev.tokenauthority.server.core.TokenCore;
import dev.tokenauthority.server.store.Rows.TokenRow;
import dev.tokenauthority.v1.AccountApiTokenServiceGrpc;
import dev.tokenauthority.v1.ApiToken;
import dev.tokenauthority.v1.Audit;
import dev.tokenauthority.v1.AuditEntry;
import dev.tokenauthority.v1.CreateApiTokenRequest;
import dev.tokenauthority.v1.GetApiTokenRequest;
import dev.tokenauthority.v1.ListApiTokensRequest;
import dev.tokenauthority.v1.ListApiTokensResponse;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.PrincipalRef;
import dev.tokenauthority.v1.ResponseMeta;
import dev.tokenauthority.v1.RevokeApiTokenRequest;
import io.grpc.stub.StreamObserver;

/**
 * Seed 002 (accounts platform) over gRPC: {@code POST /public/v1/accounts/api-tokens}, and
 * its lifecycle at {@code /public/v1/accounts/api-tokens/{id}}.
 */
final class AccountApiTokenService extends AccountApiTokenServiceGrpc.AccountApiTokenServiceImplBase {
  /** What every read leaves out: the secret, returned only on creation. */
  private static final ResponseMeta READ_META = ResponseMeta.newBuilder().addOmitted("token").build();

  private final TokenCore tokens;
  private final AccountApiTokens apiTokens;

  AccountApiTokenService(TokenCore tokens, AccountApiTokens apiTokens) {
    this.tokens = tokens;
    this.apiTokens = apiTokens;
  }

  @Override
  public void createApiToken(CreateApiTokenRequest request, StreamObserver<ApiToken> response) {
    Principal caller = AuthInterceptor.principal();
    ApiToken in = request.getApiToken();
    TokenCore.IssuedApiToken issued = tokens.createApiToken(caller, in.getAccount().getId(), in.getName(),
        in.hasIcon() ? in.getIcon() : null, in.hasDescription() ? in.getDescription() : null,
        in.getModulesList().stream().map(Module::getId).toList());
    var row = issued.token().row();
    var by = Messages.principal(caller);
    ApiToken.Builder out = fields(row, tokens.status(row))
        .setAudit(Audit.newBuilder()
            .setCreated(AuditEntry.newBuilder().setAt(ProtoTime.of(row.createdAt())).setBy(by))
            .setUpdated(AuditEntry.newBuilder().setAt(ProtoTime.of(row.updatedAt())).setBy(by)))
        .setMeta(ResponseMeta.getDefaultInstance()) // nothing is omitted from the creating response
        .setToken(issued.token().secret())
        .setAccount(Messages.account(issued.account()))
        .addAllModules(issued.modules().stream().map(Messages::module).toList());
    response.onNext(out.build());
    response.onCompleted();
  }

  @Override
  public void listApiTokens(ListApiTokensRequest request, StreamObserver<ListApiTokensResponse> response) {
    AccountApiTokens.Page page = apiTokens.list(AuthInterceptor.principal(), request.getAccountId(),
        request.getStatus(), request.getPageSize(), request.getPageToken());
    ListApiTokensResponse.Builder answer = ListApiTokensResponse.newBuilder().setNextPageToken(page.nextPageToken());
    page.tokens().forEach(token -> answer.addApiTokens(toProto(token)));
    response.onNext(answer.build());
    response.onCompleted();
  }

  @Override
  public void getApiToken(GetApiTokenRequest request, StreamObserver<ApiToken> response) {
    response.onNext(toProto(apiTokens.get(AuthInterceptor.principal(), request.getId())));
    response.onCompleted();
  }

  @Override
  public void revokeApiToken(RevokeApiTokenRequest request, StreamObserver<ApiToken> response) {
    response.onNext(toProto(apiTokens.revoke(AuthInterceptor.principal(), request.getId())));
    response.onCompleted();
  }

  /** A stored account API token: never with its secret, which {@code $meta.omitted} names. */
  private static ApiToken toProto(AccountApiTokens.View token) {
    TokenRow row = token.token().row();
    ApiToken.Builder out = fields(row, token.token().status())
        .setAudit(Audit.newBuilder()
            .setCreated(AuditEntry.newBuilder().setAt(ProtoTime.of(row.createdAt())).setBy(actor(token.createdBy())))
            .setUpdated(AuditEntry.newBuilder().setAt(ProtoTime.of(row.updatedAt())).setBy(actor(token.updatedBy()))))
        .setMeta(READ_META)
        .setAccount(Messages.account(token.account()))
        .addAllModules(token.modules().stream().map(Messages::module).toList());
    if (row.lastUsedAt() != null) {
      out.setLastAccessAt(ProtoTime.of(row.lastUsedAt()));
    }
    return out.build();
  }

  private static ApiToken.Builder fields(TokenRow row, String status) {
    ApiToken.Builder out = ApiToken.newBuilder()
        .setId(row.id())
        .setStatus(status)
        .setName(row.name());
    if (row.description() != null) {
      out.setDescription(row.description());
    }
    if (row.icon() != null) {
      out.setIcon(row.icon());
    }
    return out;
  }

  /** The principal who acted, as seed 002's {@code audit.*.by} refers to it. */
  private static PrincipalRef actor(AccountApiTokens.Actor actor) {
    PrincipalRef.Builder ref = PrincipalRef.newBuilder().setType("user").setId(actor.userId()).setEmail(actor.email());
    if (actor.tokenId() != null) {
      ref.setTokenId(actor.tokenId());
    }
    return ref.build();
  }
}
