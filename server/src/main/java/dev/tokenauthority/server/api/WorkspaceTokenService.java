package dev.tokenauthority.server.api;

import dev.tokenauthority.server.core.Scopes;
import dev.tokenauthority.server.core.TokenCore;
import dev.tokenauthority.server.core.TokenKind;
import dev.tokenauthority.server.core.TokenLifecycle;
import dev.tokenauthority.server.store.Rows.TokenRow;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.GetWorkspaceTokenRequest;
import dev.tokenauthority.v1.ListWorkspaceTokensRequest;
import dev.tokenauthority.v1.ListWorkspaceTokensResponse;
import dev.tokenauthority.v1.RevokeWorkspaceTokenRequest;
import dev.tokenauthority.v1.WorkspaceToken;
import dev.tokenauthority.v1.WorkspaceTokenServiceGrpc;
import io.grpc.stub.StreamObserver;

/** Seed 004 (Tooken) over gRPC: {@code POST /tokens}, and its lifecycle at {@code /tokens/{id}}. */
final class WorkspaceTokenService extends WorkspaceTokenServiceGrpc.WorkspaceTokenServiceImplBase {
  private final TokenCore tokens;
  private final TokenLifecycle lifecycle;

  WorkspaceTokenService(TokenCore tokens, TokenLifecycle lifecycle) {
    this.tokens = tokens;
    this.lifecycle = lifecycle;
  }

  @Override
  public void createWorkspaceToken(CreateWorkspaceTokenRequest request, StreamObserver<WorkspaceToken> response) {
    TokenCore.Issued issued = tokens.createWorkspaceToken(AuthInterceptor.principal(), request.getName(),
        request.getScopesList(),
        request.hasExpiresAt() ? ProtoTime.toInstant(request.getExpiresAt()) : null);
    response.onNext(toProto(issued, tokens.status(issued.row())));
    response.onCompleted();
  }

  @Override
  public void listWorkspaceTokens(ListWorkspaceTokensRequest request, StreamObserver<ListWorkspaceTokensResponse> response) {
    TokenLifecycle.Page page = lifecycle.list(AuthInterceptor.principal(), TokenKind.WORKSPACE, null, request.getStatus(),
        request.getPageSize(), request.getPageToken());
    ListWorkspaceTokensResponse.Builder answer = ListWorkspaceTokensResponse.newBuilder()
        .setNextPageToken(page.nextPageToken());
    page.tokens().forEach(token -> answer.addTokens(toProto(token)));
    response.onNext(answer.build());
    response.onCompleted();
  }

  @Override
  public void getWorkspaceToken(GetWorkspaceTokenRequest request, StreamObserver<WorkspaceToken> response) {
    response.onNext(toProto(lifecycle.get(AuthInterceptor.principal(), TokenKind.WORKSPACE, request.getId())));
    response.onCompleted();
  }

  @Override
  public void revokeWorkspaceToken(RevokeWorkspaceTokenRequest request, StreamObserver<WorkspaceToken> response) {
    response.onNext(toProto(lifecycle.revoke(AuthInterceptor.principal(), TokenKind.WORKSPACE, request.getId())));
    response.onCompleted();
  }

  /** A workspace token with its secret: only ever built for the response that creates it. */
  static WorkspaceToken toProto(TokenCore.Issued issued, String status) {
    return fields(issued.row(), status, issued.creatorEmail()).setToken(issued.secret()).build();
  }

  /** A stored workspace token: never with its secret. */
  private static WorkspaceToken toProto(TokenLifecycle.Token token) {
    WorkspaceToken.Builder answer = fields(token.row(), token.status(), token.creatorEmail());
    if (token.row().lastUsedAt() != null) {
      answer.setLastUsedAt(ProtoTime.of(token.row().lastUsedAt()));
    }
    return answer.build();
  }

  private static WorkspaceToken.Builder fields(TokenRow row, String status, String creatorEmail) {
    WorkspaceToken.Builder token = WorkspaceToken.newBuilder()
        .setId(row.id())
        .setName(row.name())
        .addAllScopes(Scopes.parse(row.scopes()))
        .setStatus(status)
        .setCreatedAt(ProtoTime.of(row.createdAt()))
        .setCreatedBy(creatorEmail);
    if (row.expiresAt() != null) {
      token.setExpiresAt(ProtoTime.of(row.expiresAt()));
    }
    return token;
  }
}
