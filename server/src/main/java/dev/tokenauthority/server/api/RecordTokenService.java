package dev.tokenauthority.server.api;

import com.google.protobuf.Timestamp;
import dev.tokenauthority.server.core.TokenCore;
import dev.tokenauthority.server.core.TokenKind;
import dev.tokenauthority.server.core.TokenLifecycle;
import dev.tokenauthority.server.store.Rows.TokenRow;
import dev.tokenauthority.v1.CreateRecordTokenRequest;
import dev.tokenauthority.v1.GetRecordTokenRequest;
import dev.tokenauthority.v1.ListRecordTokensRequest;
import dev.tokenauthority.v1.ListRecordTokensResponse;
import dev.tokenauthority.v1.RecordToken;
import dev.tokenauthority.v1.RecordTokenServiceGrpc;
import dev.tokenauthority.v1.RevokeRecordTokenRequest;
import io.grpc.stub.StreamObserver;

/**
 * Seed 000 (FlowEQ) over gRPC: {@code POST /api/v1/records/{record}/tokens}, and its
 * lifecycle under the same path ({@code GET}, and {@code GET}/{@code DELETE .../{key}}).
 */
final class RecordTokenService extends RecordTokenServiceGrpc.RecordTokenServiceImplBase {
  private final TokenCore tokens;
  private final TokenLifecycle lifecycle;

  RecordTokenService(TokenCore tokens, TokenLifecycle lifecycle) {
    this.tokens = tokens;
    this.lifecycle = lifecycle;
  }

  @Override
  public void createRecordToken(CreateRecordTokenRequest request, StreamObserver<RecordToken> response) {
    TokenCore.IssuedJwt issued = tokens.createRecordToken(AuthInterceptor.principal(), request.getRecord(),
        request.hasExpiresIn() ? request.getExpiresIn() : null);
    response.onNext(fields(issued.row(), tokens.status(issued.row())).setToken(issued.jwt()).build());
    response.onCompleted();
  }

  @Override
  public void listRecordTokens(ListRecordTokensRequest request, StreamObserver<ListRecordTokensResponse> response) {
    TokenLifecycle.Page page = lifecycle.listOfRecord(AuthInterceptor.principal(), request.getRecord(),
        request.getStatus(), request.getPageSize(), request.getPageToken());
    ListRecordTokensResponse.Builder answer = ListRecordTokensResponse.newBuilder()
        .setNextPageToken(page.nextPageToken());
    page.tokens().forEach(token -> answer.addTokens(fields(token.row(), token.status())));
    response.onNext(answer.build());
    response.onCompleted();
  }

  @Override
  public void getRecordToken(GetRecordTokenRequest request, StreamObserver<RecordToken> response) {
    TokenLifecycle.Token token = lifecycle.get(AuthInterceptor.principal(), TokenKind.RECORD, request.getRecord(),
        request.getKey());
    response.onNext(fields(token.row(), token.status()).build());
    response.onCompleted();
  }

  @Override
  public void revokeRecordToken(RevokeRecordTokenRequest request, StreamObserver<RecordToken> response) {
    TokenLifecycle.Token token = lifecycle.revoke(AuthInterceptor.principal(), TokenKind.RECORD, request.getRecord(),
        request.getKey());
    response.onNext(fields(token.row(), token.status()).build());
    response.onCompleted();
  }

  /** A record token in the FlowEQ shape, without its JWT (only creation adds it). */
  private static RecordToken.Builder fields(TokenRow row, String status) {
    Timestamp createdAt = ProtoTime.of(row.createdAt());
    return RecordToken.newBuilder()
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
        .setStatus(status);
  }
}
