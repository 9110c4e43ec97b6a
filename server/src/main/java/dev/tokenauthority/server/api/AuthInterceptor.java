package dev.tokenauthority.server.api;

import dev.tokenauthority.server.core.ClientCertificate;
import dev.tokenauthority.server.core.Principal;
import dev.tokenauthority.server.core.TokenCore;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import dev.tokenauthority.v1.ApiOptionsProto;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * The one auth interceptor: every call to the API services must present a credential,
 * as {@code authorization: Bearer <secret>} or {@code x-api-key: <secret>}. It resolves
 * to a {@link Principal} that service methods read with {@link #principal()}; anything
 * else closes the call with UNAUTHENTICATED (and the core audits the refusal). The principal
 * carries the call's client address ({@link ClientAddresses}), so that core code can audit
 * without knowing about gRPC, and the call's verified TLS client certificate, if any
 * ({@link ClientCertificates}, captured here once per call). Methods marked
 * {@code (tokenauthority.v1.public_method)} take no credential and have no principal.
 * Health and reflection are not intercepted.
 */
public final class AuthInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<Principal> PRINCIPAL = Context.key("dev.tokenauthority.principal");
  private static final String BEARER = "bearer ";

  private final TokenCore tokens;
  private final ClientAddresses addresses;

  AuthInterceptor(TokenCore tokens, ClientAddresses addresses) {
    this.tokens = tokens;
    this.addresses = addresses;
  }

  /** The authenticated caller of the current call. */
  static Principal principal() {
    Principal principal = PRINCIPAL.get();
    if (principal == null) {
      throw new IllegalStateException("service registered without the auth interceptor");
    }
    return principal;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    ClientCertificate certificate = ClientCertificates.of(call.getAttributes(), headers);
    RequestLogInterceptor.recordCertificate(certificate);
    if (isPublic(call.getMethodDescriptor())) {
      return next.startCall(call, headers);
    }
    Principal principal;
    try {
      String clientAddress = addresses.of(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
          headers.getAll(ClientAddresses.FORWARDED_FOR));
      principal = tokens.authenticate(credential(headers), clientAddress, certificate);
    } catch (RuntimeException e) {
      ErrorMapper.close(call, e);
      return new ServerCall.Listener<>() {};
    }
    RequestLogInterceptor.recordPrincipal(principal);
    return Contexts.interceptCall(Context.current().withValue(PRINCIPAL, principal), call, headers, next);
  }

  private static boolean isPublic(MethodDescriptor<?, ?> method) {
    return method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier
        && supplier.getMethodDescriptor().getOptions().getExtension(ApiOptionsProto.publicMethod);
  }

  /** The presented secret: the bearer token, else the API key, else null. */
  private static String credential(Metadata headers) {
    String authorization = headers.get(AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return authorization.substring(BEARER.length()).trim();
    }
    String apiKey = headers.get(API_KEY);
    return apiKey == null ? null : apiKey.trim();
  }
}
