package dev.tokenauthority.server.api;

import dev.tokenauthority.server.core.AccessTokens;
import dev.tokenauthority.server.core.AccountApiTokens;
import dev.tokenauthority.server.core.Audit;
import dev.tokenauthority.server.core.Directory;
import dev.tokenauthority.server.core.ShareLinks;
import dev.tokenauthority.server.core.SigningKeys;
import dev.tokenauthority.server.core.Tenants;
import dev.tokenauthority.server.core.TokenCore;
import dev.tokenauthority.server.core.TokenLifecycle;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every API service, wrapped in the request log, the REST edge headers, the call limiter (load
 * shedding), the auth interceptor and the error mapper.
 */
public final class ApiServices {
  private ApiServices() {}

  /**
   * {@code trustedProxies}: addresses or CIDR networks, besides in-process and loopback peers,
   * whose {@code x-forwarded-for} names the client (see {@link ClientAddresses}); {@code deadline}
   * bounds every call; {@code limiter}: the one cap on concurrently executing calls, shared by every
   * service (and transport).
   */
  public static List<ServerServiceDefinition> create(TokenCore tokens, TokenLifecycle lifecycle,
      AccessTokens accessTokens, AccountApiTokens apiTokens, Directory directory, Tenants tenants, SigningKeys keys,
      ShareLinks shareLinks, Audit audit, Collection<String> trustedProxies, DeadlineInterceptor deadline,
      CallLimiter limiter) {
    AuthInterceptor auth = new AuthInterceptor(tokens, new ClientAddresses(trustedProxies));
    ErrorMapper errors = new ErrorMapper();
    RestEdgeHeaders edgeHeaders = new RestEdgeHeaders();
    RequestLogInterceptor requestLog = new RequestLogInterceptor(new ClientAddresses(trustedProxies));
    return Stream.<BindableService>of(
            new RecordTokenService(tokens, lifecycle),
            new FaultTokenService(tokens, lifecycle, shareLinks),
            new AccountApiTokenService(tokens, apiTokens),
            new AccessTokenService(tokens, accessTokens),
            new WorkspaceTokenService(tokens, lifecycle),
            new TokenService(lifecycle),
            new DirectoryService(directory, tenants),
            new SigningKeyService(keys),
            new AuditService(audit))
        // intercept() runs the last interceptor first: the request log sees every call and close
        // (refused ones too), the edge headers every close (the limiter's, the deadline's and auth's
        // too), then the limiter (a shed call costs no timer and no authentication), then the
        // server-side deadline (authentication's lookups run within it), then auth, then the error
        // mapper around the handler
        .map(service -> ServerInterceptors.intercept(service, errors, auth, deadline, limiter, edgeHeaders,
            requestLog))
        .toList();
  }
}
