package dev.tokenauthority.server.api;

import dev.tokenauthority.server.core.Principal;
import dev.tokenauthority.server.core.TokenCore;
import dev.tokenauthority.v1.AccountApiTokenServiceGrpc;
import dev.tokenauthority.v1.ApiToken;
import dev.tokenauthority.v1.Audit;
import dev.tokenauthority.v1.AuditEntry;
import dev.tokenauthority.v1.CreateApiTokenRequest;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.ResponseMeta;
import io.grpc.stub.StreamObserver;

/** Seed 002 (accounts platform) over gRPC: {@code POST /public/v1/accounts/api-tokens}. */
final class AccountApiTokenService extends AccountApiTokenServiceGrpc.AccountApiTokenServiceImplBase {
  private final TokenCore tokens;

  AccountApiTokenService(TokenCore tokens) {
    this.tokens = tokens;
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
    ApiToken.Builder out = ApiToken.newBuilder()
        .setId(row.id())
        .setAudit(Audit.newBuilder()
            .setCreated(AuditEntry.newBuilder().setAt(ProtoTime.of(row.createdAt())).setBy(by))
            .setUpdated(AuditEntry.newBuilder().setAt(ProtoTime.of(row.updatedAt())).setBy(by)))
        .setMeta(ResponseMeta.getDefaultInstance()) // nothing is omitted from the creating response
        .setStatus(tokens.status(row))
        .setName(row.name())
        .setToken(issued.token().secret())
        .setAccount(Messages.account(issued.account()))
        .addAllModules(issued.modules().stream().map(Messages::module).toList());
    if (row.description() != null) {
      out.setDescription(row.description());
    }
    if (row.icon() != null) {
      out.setIcon(row.icon());
    }
    response.onNext(out.build());
    response.onCompleted();
  }
}
