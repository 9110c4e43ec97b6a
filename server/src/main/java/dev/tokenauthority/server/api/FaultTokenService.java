package dev.tokenauthority.server.api;

import dev.tokenauthority.server.core.TokenCore;
import dev.tokenauthority.v1.FaultToken;
import dev.tokenauthority.v1.FaultTokenServiceGrpc;
import dev.tokenauthority.v1.GenerateFaultTokenRequest;
import io.grpc.stub.StreamObserver;

/** Seed 001 (Altostrat) over gRPC: {@code POST /fault/token}. */
final class FaultTokenService extends FaultTokenServiceGrpc.FaultTokenServiceImplBase {
  private final TokenCore tokens;

  FaultTokenService(TokenCore tokens) {
    this.tokens = tokens;
  }

  @Override
  public void generateFaultToken(GenerateFaultTokenRequest request, StreamObserver<FaultToken> response) {
    TokenCore.IssuedJwt issued = tokens.createFaultToken(AuthInterceptor.principal(),
        request.hasExpireAfterMinutes() ? request.getExpireAfterMinutes() : null);
    response.onNext(FaultToken.newBuilder()
        .setToken(issued.jwt())
        .setType("jwt")
        .setExpiresInMinutes(request.getExpireAfterMinutes())
        .setExpiresAt(ProtoTime.of(issued.row().expiresAt()))
        .setShortLink(issued.shortLink())
        .build());
    response.onCompleted();
  }
}
