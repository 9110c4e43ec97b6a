package dev.tokenauthority.server.api;

import dev.tokenauthority.server.core.TokenCore;
import dev.tokenauthority.v1.CreateRecordTokenRequest;
import dev.tokenauthority.v1.RecordToken;
import dev.tokenauthority.v1.RecordTokenServiceGrpc;
import io.grpc.stub.StreamObserver;

/** Seed 000 (FlowEQ) over gRPC: {@code POST /api/v1/records/{record}/tokens}. */
final class RecordTokenService extends RecordTokenServiceGrpc.RecordTokenServiceImplBase {
  private final TokenCore tokens;

  RecordTokenService(TokenCore tokens) {
    this.tokens = tokens;
  }

  @Override
  public void createRecordToken(CreateRecordTokenRequest request, StreamObserver<RecordToken> response) {
    TokenCore.IssuedJwt issued = tokens.createRecordToken(AuthInterceptor.principal(), request.getRecord(),
        request.hasExpiresIn() ? request.getExpiresIn() : null);
    var row = issued.row();
    var createdAt = ProtoTime.of(row.createdAt());
    response.onNext(RecordToken.newBuilder()
        .setCompanyId(row.tenantId())
        .setCompanyIdAlias(row.tenantId())
        .setCreatedAt(createdAt)
        .setExpiresAt(ProtoTime.of(row.expiresAt()))
        .setKey(row.id())
        .setRecordId(row.resourceId())
        .setType("record")
        .setUserId(row.userId())
        .setUserIdAlias(row.userId())
        .setCreatedAtAlias(createdAt)
        .setToken(issued.jwt())
        .build());
    response.onCompleted();
  }
}
