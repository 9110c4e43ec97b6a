package dev.tokenauthority.server.api;

import dev.tokenauthority.server.core.TokenCore;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.AccessTokenServiceGrpc;
import dev.tokenauthority.v1.CreateAccessTokenRequest;
import io.grpc.stub.StreamObserver;

/** Seed 003 (Kodexa) over gRPC: {@code POST /api/access-tokens}. */
final class AccessTokenService extends AccessTokenServiceGrpc.AccessTokenServiceImplBase {
  private final TokenCore tokens;

  AccessTokenService(TokenCore tokens) {
    this.tokens = tokens;
  }

  @Override
  public void createAccessToken(CreateAccessTokenRequest request, StreamObserver<AccessToken> response) {
    AccessToken in = request.getAccessToken();
    TokenCore.IssuedAccessToken issued = tokens.createAccessToken(AuthInterceptor.principal(), in.getName(),
        in.hasExpiresAt() ? ProtoTime.toInstant(in.getExpiresAt()) : null, in.getUserId());
    var row = issued.token().row();
    AccessToken.Builder out = AccessToken.newBuilder()
        .setChangeSequence(row.changeSequence())
        .setCreatedOn(ProtoTime.of(row.createdAt()))
        .setId(row.id())
        .setName(row.name())
        .setUpdatedOn(ProtoTime.of(row.updatedAt()))
        .setUser(Messages.user(issued.user()))
        .setUserId(row.userId())
        .setUuid(row.uuid())
        .setToken(issued.token().secret());
    if (row.expiresAt() != null) {
      out.setExpiresAt(ProtoTime.of(row.expiresAt()));
    }
    response.onNext(out.build());
    response.onCompleted();
  }
}
