package dev.tokenauthority.server.api;

import dev.tokenauthority.server.core.Failure;
import dev.tokenauthority.server.core.ShareLinks;
import dev.tokenauthority.server.core.TokenCore;
import dev.tokenauthority.server.core.TokenKind;
import dev.tokenauthority.server.core.TokenLifecycle;
import dev.tokenauthority.server.store.Rows.TokenRow;
import dev.tokenauthority.v1.FaultToken;
import dev.tokenauthority.v1.FaultTokenServiceGrpc;
import dev.tokenauthority.v1.GenerateFaultTokenRequest;
import dev.tokenauthority.v1.GetFaultTokenRequest;
import dev.tokenauthority.v1.ListFaultTokensRequest;
import dev.tokenauthority.v1.ListFaultTokensResponse;
import dev.tokenauthority.v1.ResolveShareLinkRequest;
import dev.tokenauthority.v1.ResolveShareLinkResponse;
import dev.tokenauthority.v1.RevokeFaultTokenRequest;
import io.grpc.stub.StreamObserver;
import java.time.Duration;

/**
 * Seed 001 (Altostrat) over gRPC: {@code POST /fault/token}, its lifecycle
 * ({@code GET /fault/tokens}, {@code GET}/{@code DELETE /fault/token/{id}}) and its share
 * links ({@code GET /s/{code}}).
 */
final class FaultTokenService extends FaultTokenServiceGrpc.FaultTokenServiceImplBase {
  /** A resolved share link's REST answer. */
  private static final int FOUND = 302;
  /** A share link whose token has expired or been revoked. */
  private static final int GONE = 410;

  private final TokenCore tokens;
  private final TokenLifecycle lifecycle;
  private final ShareLinks shareLinks;

  FaultTokenService(TokenCore tokens, TokenLifecycle lifecycle, ShareLinks shareLinks) {
    this.tokens = tokens;
    this.lifecycle = lifecycle;
    this.shareLinks = shareLinks;
  }

  @Override
  public void generateFaultToken(GenerateFaultTokenRequest request, StreamObserver<FaultToken> response) {
    TokenCore.IssuedJwt issued = tokens.createFaultToken(AuthInterceptor.principal(),
        request.hasExpireAfterMinutes() ? request.getExpireAfterMinutes() : null);
    response.onNext(fields(issued.row(), tokens.status(issued.row()))
        .setToken(issued.jwt())
        .setShortLink(issued.shortLink())
        .build());
    response.onCompleted();
  }

  @Override
  public void listFaultTokens(ListFaultTokensRequest request, StreamObserver<ListFaultTokensResponse> response) {
    TokenLifecycle.Page page = lifecycle.list(AuthInterceptor.principal(), TokenKind.FAULT, null, request.getStatus(),
        request.getPageSize(), request.getPageToken());
    ListFaultTokensResponse.Builder answer = ListFaultTokensResponse.newBuilder().setNextPageToken(page.nextPageToken());
    page.tokens().forEach(token -> answer.addTokens(fields(token.row(), token.status())));
    response.onNext(answer.build());
    response.onCompleted();
  }

  @Override
  public void getFaultToken(GetFaultTokenRequest request, StreamObserver<FaultToken> response) {
    TokenLifecycle.Token token = lifecycle.get(AuthInterceptor.principal(), TokenKind.FAULT, request.getId());
    response.onNext(fields(token.row(), token.status()).build());
    response.onCompleted();
  }

  @Override
  public void revokeFaultToken(RevokeFaultTokenRequest request, StreamObserver<FaultToken> response) {
    TokenLifecycle.Token token = lifecycle.revoke(AuthInterceptor.principal(), TokenKind.FAULT, request.getId());
    response.onNext(fields(token.row(), token.status()).build());
    response.onCompleted();
  }

  /** Public (no principal): 302 to the dashboard, or 404 / 410; never cached. */
  @Override
  public void resolveShareLink(ResolveShareLinkRequest request, StreamObserver<ResolveShareLinkResponse> response) {
    RestResponse rest = RestResponse.current().header("cache-control", "no-store");
    String location;
    try {
      location = shareLinks.resolve(request.getCode());
    } catch (Failure failure) {
      if (failure.reason() == Failure.Reason.RESOURCE_GONE) {
        rest.status(GONE);
      }
      throw failure;
    }
    rest.status(FOUND).header("location", location);
    response.onNext(ResolveShareLinkResponse.newBuilder().setLocation(location).build());
    response.onCompleted();
  }

  /** A fault token in the Altostrat shape, without its JWT and share link (only creation adds them). */
  private static FaultToken.Builder fields(TokenRow row, String status) {
    return FaultToken.newBuilder()
        .setType("jwt")
        .setExpiresInMinutes((int) Duration.between(row.createdAt(), row.expiresAt()).toMinutes())
        .setExpiresAt(ProtoTime.of(row.expiresAt()))
        .setId(row.id())
        .setStatus(status);
  }
}
