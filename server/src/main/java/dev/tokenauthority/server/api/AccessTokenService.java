package dev.tokenauthority.server.api;

import dev.tokenauthority.server.core.AccessTokens;
import dev.tokenauthority.server.core.TokenCore;
import dev.tokenauthority.server.store.Rows.TokenRow;
import dev.tokenauthority.server.store.Rows.UserRow;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.AccessTokenServiceGrpc;
import dev.tokenauthority.v1.CreateAccessTokenRequest;
import dev.tokenauthority.v1.GetAccessTokenRequest;
import dev.tokenauthority.v1.ListAccessTokensRequest;
import dev.tokenauthority.v1.ListAccessTokensResponse;
import dev.tokenauthority.v1.RevokeAccessTokenRequest;
import dev.tokenauthority.v1.UpdateAccessTokenRequest;
import io.grpc.stub.StreamObserver;

/** Seed 003 (Kodexa) over gRPC: {@code POST /api/access-tokens}, and its lifecycle at {@code /api/access-tokens/{id}}. */
final class AccessTokenService extends AccessTokenServiceGrpc.AccessTokenServiceImplBase {
  private final TokenCore tokens;
  private final AccessTokens accessTokens;

  AccessTokenService(TokenCore tokens, AccessTokens accessTokens) {
    this.tokens = tokens;
    this.accessTokens = accessTokens;
  }

  @Override
  public void createAccessToken(CreateAccessTokenRequest request, StreamObserver<AccessToken> response) {
    AccessToken in = request.getAccessToken();
    TokenCore.IssuedAccessToken issued = tokens.createAccessToken(AuthInterceptor.principal(), in.getName(),
        in.hasExpiresAt() ? ProtoTime.toInstant(in.getExpiresAt()) : null, in.getUserId());
    var row = issued.token().row();
    response.onNext(fields(row, tokens.status(row), issued.user()).setToken(issued.token().secret()).build());
    response.onCompleted();
  }

  @Override
  public void listAccessTokens(ListAccessTokensRequest request, StreamObserver<ListAccessTokensResponse> response) {
    AccessTokens.Page page = accessTokens.list(AuthInterceptor.principal(), request.getStatus(), request.getPageSize(),
        request.getPageToken());
    ListAccessTokensResponse.Builder answer = ListAccessTokensResponse.newBuilder()
        .setNextPageToken(page.nextPageToken());
    page.tokens().forEach(token -> answer.addAccessTokens(toProto(token)));
    response.onNext(answer.build());
    response.onCompleted();
  }

  @Override
  public void getAccessToken(GetAccessTokenRequest request, StreamObserver<AccessToken> response) {
    response.onNext(toProto(accessTokens.get(AuthInterceptor.principal(), request.getId())));
    response.onCompleted();
  }

  @Override
  public void updateAccessToken(UpdateAccessTokenRequest request, StreamObserver<AccessToken> response) {
    AccessToken in = request.getAccessToken();
    response.onNext(toProto(accessTokens.update(AuthInterceptor.principal(), request.getId(), in.getChangeSequence(),
        in.getName(), in.hasExpiresAt() ? ProtoTime.toInstant(in.getExpiresAt()) : null, in.getUserId())));
    response.onCompleted();
  }

  @Override
  public void revokeAccessToken(RevokeAccessTokenRequest request, StreamObserver<AccessToken> response) {
    response.onNext(toProto(accessTokens.revoke(AuthInterceptor.principal(), request.getId())));
    response.onCompleted();
  }

  /** A stored access token: never with its secret. */
  private static AccessToken toProto(AccessTokens.View token) {
    return fields(token.row(), token.status(), token.user()).build();
  }

  private static AccessToken.Builder fields(TokenRow row, String status, UserRow user) {
    AccessToken.Builder out = AccessToken.newBuilder()
        .setChangeSequence(row.changeSequence())
        .setCreatedOn(ProtoTime.of(row.createdAt()))
        .setId(row.id())
        .setName(row.name())
        .setUpdatedOn(ProtoTime.of(row.updatedAt()))
        .setUser(Messages.user(user))
        .setUserId(row.userId())
        .setUuid(row.uuid())
        .setStatus(status);
    if (row.expiresAt() != null) {
      out.setExpiresAt(ProtoTime.of(row.expiresAt()));
    }
    return out;
  }
}
