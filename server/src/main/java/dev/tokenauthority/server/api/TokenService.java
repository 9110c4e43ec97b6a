package dev.tokenauthority.server.api;

import dev.tokenauthority.server.core.TokenKind;
import dev.tokenauthority.server.core.TokenLifecycle;
import dev.tokenauthority.server.store.Rows.TokenRow;
import dev.tokenauthority.v1.CheckTokenAccessRequest;
import dev.tokenauthority.v1.CheckTokenAccessResponse;
import dev.tokenauthority.v1.IntrospectTokenRequest;
import dev.tokenauthority.v1.IntrospectTokenResponse;
import dev.tokenauthority.v1.RevokeTokensCreatedByRequest;
import dev.tokenauthority.v1.RevokeTokensCreatedByResponse;
import dev.tokenauthority.v1.TokenServiceGrpc;
import io.grpc.stub.StreamObserver;
import java.util.Locale;

/** Introspection, access checks and bulk revocation, for tokens of every kind. */
final class TokenService extends TokenServiceGrpc.TokenServiceImplBase {
  private final TokenLifecycle lifecycle;

  TokenService(TokenLifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  @Override
  public void introspectToken(IntrospectTokenRequest request, StreamObserver<IntrospectTokenResponse> response) {
    TokenLifecycle.Introspection introspection = lifecycle.introspect(AuthInterceptor.principal(), request.getToken());
    IntrospectTokenResponse.Builder answer = IntrospectTokenResponse.newBuilder();
    introspection.token().ifPresent(row -> answer
        .setActive(true)
        .setScope(row.scopes())
        .setUsername(introspection.username())
        .setTokenType(row.kind().toLowerCase(Locale.ROOT))
        .setExp(row.expiresAt() == null ? 0 : row.expiresAt().getEpochSecond())
        .setIat(row.createdAt().getEpochSecond())
        .setSub(row.userId())
        .setJti(row.id())
        .setTenantId(row.tenantId())
        .setResource(resource(row)));
    response.onNext(answer.build());
    response.onCompleted();
  }

  @Override
  public void checkTokenAccess(CheckTokenAccessRequest request, StreamObserver<CheckTokenAccessResponse> response) {
    TokenLifecycle.Decision decision = lifecycle.check(AuthInterceptor.principal(), request.getToken(),
        request.getAction(), request.getResource());
    response.onNext(CheckTokenAccessResponse.newBuilder().setAllowed(decision.allowed()).setReason(decision.reason()).build());
    response.onCompleted();
  }

  @Override
  public void revokeTokensCreatedBy(RevokeTokensCreatedByRequest request,
      StreamObserver<RevokeTokensCreatedByResponse> response) {
    int revoked = lifecycle.revokeCreatedBy(AuthInterceptor.principal(), request.getCreatedByUserId(),
        request.getCreatedByTokenId());
    response.onNext(RevokeTokensCreatedByResponse.newBuilder().setRevokedCount(revoked).build());
    response.onCompleted();
  }

  private static String resource(TokenRow row) {
    switch (TokenKind.valueOf(row.kind())) {
      case RECORD:
        return "records/" + row.resourceId();
      case FAULT:
        return "faults";
      case ACCOUNT_API:
        return "accounts/" + row.resourceId();
      default:
        return "";
    }
  }
}
