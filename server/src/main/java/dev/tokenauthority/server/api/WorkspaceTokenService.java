package dev.tokenauthority.server.api;

import dev.tokenauthority.server.core.Scopes;
import dev.tokenauthority.server.core.TokenCore;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.WorkspaceToken;
import dev.tokenauthority.v1.WorkspaceTokenServiceGrpc;
import io.grpc.stub.StreamObserver;

/** Seed 004 (Tooken) over gRPC: {@code POST /tokens}. */
final class WorkspaceTokenService extends WorkspaceTokenServiceGrpc.WorkspaceTokenServiceImplBase {
  private final TokenCore tokens;

  WorkspaceTokenService(TokenCore tokens) {
    this.tokens = tokens;
  }

  @Override
  public void createWorkspaceToken(CreateWorkspaceTokenRequest request, StreamObserver<WorkspaceToken> response) {
    TokenCore.Issued issued = tokens.createWorkspaceToken(AuthInterceptor.principal(), request.getName(),
        request.getScopesList(),
        request.hasExpiresAt() ? ProtoTime.toInstant(request.getExpiresAt()) : null);
    response.onNext(toProto(issued, tokens.status(issued.row())));
    response.onCompleted();
  }

  /** A workspace token with its secret: only ever built for the response that creates it. */
  static WorkspaceToken toProto(TokenCore.Issued issued, String status) {
    var row = issued.row();
    WorkspaceToken.Builder token = WorkspaceToken.newBuilder()
        .setId(row.id())
        .setToken(issued.secret())
        .setName(row.name())
        .addAllScopes(Scopes.parse(row.scopes()))
        .setStatus(status)
        .setCreatedAt(ProtoTime.of(row.createdAt()))
        .setCreatedBy(issued.creatorEmail());
    if (row.expiresAt() != null) {
      token.setExpiresAt(ProtoTime.of(row.expiresAt()));
    }
    return token.build();
  }
}
