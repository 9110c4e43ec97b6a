package dev.tokenauthority.server.api;

import dev.tokenauthority.server.core.SigningKeys;
import dev.tokenauthority.v1.GetJwksRequest;
import dev.tokenauthority.v1.JsonWebKey;
import dev.tokenauthority.v1.JsonWebKeySet;
import dev.tokenauthority.v1.ListSigningKeysRequest;
import dev.tokenauthority.v1.ListSigningKeysResponse;
import dev.tokenauthority.v1.RotateSigningKeyRequest;
import dev.tokenauthority.v1.RotateSigningKeyResponse;
import dev.tokenauthority.v1.SigningKey;
import dev.tokenauthority.v1.SigningKeyServiceGrpc;
import dev.tokenauthority.v1.SigningKeyState;
import io.grpc.stub.StreamObserver;

/** The JWKS (public) and signing key administration over gRPC. */
final class SigningKeyService extends SigningKeyServiceGrpc.SigningKeyServiceImplBase {
  /** The JWKS's cache-control: shared caches may keep it for {@link SigningKeys#JWKS_MAX_AGE}. */
  static final String JWKS_CACHE_CONTROL = "public, max-age=" + SigningKeys.JWKS_MAX_AGE.toSeconds();

  private final SigningKeys keys;

  SigningKeyService(SigningKeys keys) {
    this.keys = keys;
  }

  @Override
  public void getJwks(GetJwksRequest request, StreamObserver<JsonWebKeySet> response) {
    JsonWebKeySet.Builder set = JsonWebKeySet.newBuilder();
    for (SigningKeys.PublishedKey key : keys.published()) {
      set.addKeys(JsonWebKey.newBuilder()
          .setKty("EC")
          .setCrv("P-256")
          .setX(key.x())
          .setY(key.y())
          .setKid(key.kid())
          .setUse("sig")
          .setAlg(SigningKeys.ALGORITHM));
    }
    RestResponse.current().header("cache-control", JWKS_CACHE_CONTROL);
    response.onNext(set.build());
    response.onCompleted();
  }

  @Override
  public void rotateSigningKey(RotateSigningKeyRequest request, StreamObserver<RotateSigningKeyResponse> response) {
    SigningKeys.Rotation rotation = keys.rotate(AuthInterceptor.principal());
    response.onNext(RotateSigningKeyResponse.newBuilder()
        .setKid(rotation.kid())
        .setCreatedAt(ProtoTime.of(rotation.createdAt()))
        .setPreviousKid(rotation.previousKid())
        .build());
    response.onCompleted();
  }

  @Override
  public void listSigningKeys(ListSigningKeysRequest request, StreamObserver<ListSigningKeysResponse> response) {
    ListSigningKeysResponse.Builder list = ListSigningKeysResponse.newBuilder();
    for (SigningKeys.KeyStatus key : keys.list(AuthInterceptor.principal())) {
      SigningKey.Builder proto = SigningKey.newBuilder()
          .setKid(key.kid())
          .setAlgorithm(key.algorithm())
          .setCreatedAt(ProtoTime.of(key.createdAt()))
          .setState(state(key.state()));
      if (key.retiredAt() != null) {
        proto.setRetiredAt(ProtoTime.of(key.retiredAt()));
        proto.setPublishedUntil(ProtoTime.of(key.publishedUntil()));
      }
      list.addSigningKeys(proto);
    }
    response.onNext(list.build());
    response.onCompleted();
  }

  private static SigningKeyState state(SigningKeys.State state) {
    return switch (state) {
      case CURRENT -> SigningKeyState.SIGNING_KEY_STATE_CURRENT;
      case RETIRED -> SigningKeyState.SIGNING_KEY_STATE_RETIRED;
      case EXPIRED -> SigningKeyState.SIGNING_KEY_STATE_EXPIRED;
    };
  }
}
