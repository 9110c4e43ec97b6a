package dev.tokenauthority.client;

import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.AccessTokenServiceGrpc;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.AccountApiTokenServiceGrpc;
import dev.tokenauthority.v1.ApiToken;
import dev.tokenauthority.v1.AuditServiceGrpc;
import dev.tokenauthority.v1.CreateAccessTokenRequest;
import dev.tokenauthority.v1.CreateAccountRequest;
import dev.tokenauthority.v1.CreateApiTokenRequest;
import dev.tokenauthority.v1.CreateModuleRequest;
import dev.tokenauthority.v1.CreateRecordRequest;
import dev.tokenauthority.v1.CreateRecordTokenRequest;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateTenantResponse;
import dev.tokenauthority.v1.CreateUserRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.DirectoryServiceGrpc;
import dev.tokenauthority.v1.FaultToken;
import dev.tokenauthority.v1.CheckTokenAccessRequest;
import dev.tokenauthority.v1.CheckTokenAccessResponse;
import dev.tokenauthority.v1.FaultTokenServiceGrpc;
import dev.tokenauthority.v1.GenerateFaultTokenRequest;
import dev.tokenauthority.v1.GetAccessTokenRequest;
import dev.tokenauthority.v1.GetApiTokenRequest;
import dev.tokenauthority.v1.GetFaultTokenRequest;
import dev.tokenauthority.v1.GetJwksRequest;
import dev.tokenauthority.v1.GetRecordTokenRequest;
import dev.tokenauthority.v1.GetWorkspaceTokenRequest;
import dev.tokenauthority.v1.IntrospectTokenRequest;
import dev.tokenauthority.v1.IntrospectTokenResponse;
import dev.tokenauthority.v1.JsonWebKeySet;
import dev.tokenauthority.v1.ListAccessTokensRequest;
import dev.tokenauthority.v1.ListAccessTokensResponse;
import dev.tokenauthority.v1.ListApiTokensRequest;
import dev.tokenauthority.v1.ListApiTokensResponse;
import dev.tokenauthority.v1.ListAuditEventsRequest;
import dev.tokenauthority.v1.ListAuditEventsResponse;
import dev.tokenauthority.v1.ListFaultTokensRequest;
import dev.tokenauthority.v1.ListFaultTokensResponse;
import dev.tokenauthority.v1.ListRecordTokensRequest;
import dev.tokenauthority.v1.ListRecordTokensResponse;
import dev.tokenauthority.v1.ListSigningKeysRequest;
import dev.tokenauthority.v1.ListSigningKeysResponse;
import dev.tokenauthority.v1.ListWorkspaceTokensRequest;
import dev.tokenauthority.v1.ListWorkspaceTokensResponse;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.RecordToken;
import dev.tokenauthority.v1.RecordTokenServiceGrpc;
import dev.tokenauthority.v1.ResolveShareLinkRequest;
import dev.tokenauthority.v1.ResolveShareLinkResponse;
import dev.tokenauthority.v1.RevokeAccessTokenRequest;
import dev.tokenauthority.v1.RevokeApiTokenRequest;
import dev.tokenauthority.v1.RevokeFaultTokenRequest;
import dev.tokenauthority.v1.RevokeRecordTokenRequest;
import dev.tokenauthority.v1.RevokeTokensCreatedByRequest;
import dev.tokenauthority.v1.RevokeTokensCreatedByResponse;
import dev.tokenauthority.v1.RevokeWorkspaceTokenRequest;
import dev.tokenauthority.v1.TokenServiceGrpc;
import dev.tokenauthority.v1.RotateSigningKeyRequest;
import dev.tokenauthority.v1.RotateSigningKeyResponse;
import dev.tokenauthority.v1.SigningKeyServiceGrpc;
import dev.tokenauthority.v1.UpdateAccessTokenRequest;
import dev.tokenauthority.v1.User;
import dev.tokenauthority.v1.WorkspaceToken;
import dev.tokenauthority.v1.WorkspaceTokenServiceGrpc;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.Grpc;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A typed client over the generated blocking stubs: one method per RPC of every
 * {@code tokenauthority.v1} service, every call carrying the given credentials and a deadline
 * ({@link #DEFAULT_DEADLINE} unless another is given). The caller owns the channel.
 *
 * <p>Failures surface as {@link TokenAuthorityException} (a {@link io.grpc.StatusRuntimeException})
 * typed by category, carrying the {@code ErrorInfo} reason and metadata and the
 * {@code BadRequest} field violations.
 *
 * <p>Retries are the channel's job, not a loop here: build the channel with
 * {@link #channelBuilder(String)} (or apply {@link #withDefaults} to any builder) and the
 * {@link #serviceConfig() default service config} retries UNAVAILABLE on the idempotent
 * methods only ({@link #IDEMPOTENT_METHODS}); creates, updates, revokes and rotations are
 * attempted once.
 */
public final class TokenAuthorityClient {
  /** The deadline of every call unless another is given. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

  private final Channel channel;
  private final CallCredentials credentials;
  private final Duration deadline;

  /**
   * A client over {@code channel} (which the caller owns and shuts down). {@code credentials}
   * is {@link Credentials#bearer} or {@link Credentials#apiKey}; null sends none, which only
   * the public methods ({@link #getJwks()}, {@link #resolveShareLink}) accept.
   */
  public TokenAuthorityClient(Channel channel, CallCredentials credentials) {
    this(channel, credentials, DEFAULT_DEADLINE);
  }

  public TokenAuthorityClient(Channel channel, CallCredentials credentials, Duration deadline) {
    this.channel = channel;
    this.credentials = credentials;
    this.deadline = deadline;
  }

  /** The same channel and deadline with other credentials. */
  public TokenAuthorityClient withCredentials(CallCredentials other) {
    return new TokenAuthorityClient(channel, other, deadline);
  }

  /** The same channel and credentials with another per-call deadline. */
  public TokenAuthorityClient withDeadline(Duration other) {
    return new TokenAuthorityClient(channel, credentials, other);
  }

  /** The per-call deadline. */
  public Duration deadline() {
    return deadline;
  }

  /**
   * The methods that are safe to retry: reads, introspection and access checks, which change
   * nothing (the audit events they write are per attempt, which is the truth). Creates,
   * updates, revokes, rotations and directory writes are not here: a retried create would
   * mint a second token when the first answer was lost.
   */
  public static final List<MethodDescriptor<?, ?>> IDEMPOTENT_METHODS = List.of(
      WorkspaceTokenServiceGrpc.getListWorkspaceTokensMethod(),
      WorkspaceTokenServiceGrpc.getGetWorkspaceTokenMethod(),
      AccessTokenServiceGrpc.getListAccessTokensMethod(),
      AccessTokenServiceGrpc.getGetAccessTokenMethod(),
      AccountApiTokenServiceGrpc.getListApiTokensMethod(),
      AccountApiTokenServiceGrpc.getGetApiTokenMethod(),
      RecordTokenServiceGrpc.getListRecordTokensMethod(),
      RecordTokenServiceGrpc.getGetRecordTokenMethod(),
      FaultTokenServiceGrpc.getListFaultTokensMethod(),
      FaultTokenServiceGrpc.getGetFaultTokenMethod(),
      FaultTokenServiceGrpc.getResolveShareLinkMethod(),
      TokenServiceGrpc.getIntrospectTokenMethod(),
      TokenServiceGrpc.getCheckTokenAccessMethod(),
      SigningKeyServiceGrpc.getGetJwksMethod(),
      SigningKeyServiceGrpc.getListSigningKeysMethod(),
      AuditServiceGrpc.getListAuditEventsMethod());

  /** Attempts of an idempotent call (the first one included) when the server is UNAVAILABLE. */
  public static final int MAX_ATTEMPTS = 4;

  /**
   * The default service config: a {@code retryPolicy} on UNAVAILABLE for
   * {@link #IDEMPOTENT_METHODS} ({@link #MAX_ATTEMPTS} attempts, exponential backoff from 0.1 s
   * to 2 s with gRPC's jitter), nothing for the rest. The shape is gRPC's JSON service config
   * as Java maps (numbers as {@code Double}), for {@link ManagedChannelBuilder#defaultServiceConfig}.
   */
  public static Map<String, Object> serviceConfig() {
    List<Object> names = new ArrayList<>();
    for (MethodDescriptor<?, ?> method : IDEMPOTENT_METHODS) {
      Map<String, Object> name = new LinkedHashMap<>();
      name.put("service", method.getServiceName());
      name.put("method", method.getBareMethodName());
      names.add(name);
    }
    Map<String, Object> retryPolicy = new LinkedHashMap<>();
    retryPolicy.put("maxAttempts", (double) MAX_ATTEMPTS);
    retryPolicy.put("initialBackoff", "0.1s");
    retryPolicy.put("maxBackoff", "2s");
    retryPolicy.put("backoffMultiplier", 2.0);
    retryPolicy.put("retryableStatusCodes", List.of("UNAVAILABLE"));
    Map<String, Object> methodConfig = new LinkedHashMap<>();
    methodConfig.put("name", names);
    methodConfig.put("retryPolicy", retryPolicy);
    return Map.of("methodConfig", List.of(methodConfig));
  }

  /**
   * A channel builder for {@code target} ({@code host:port} or a gRPC target URI) with
   * {@link #withDefaults the defaults}. Transport security is the caller's choice
   * ({@code usePlaintext()} or the default TLS); a transport (grpc-netty-shaded, grpc-okhttp)
   * must be on the class path.
   */
  public static ManagedChannelBuilder<?> channelBuilder(String target) {
    return withDefaults(ManagedChannelBuilder.forTarget(target));
  }

  /**
   * A channel builder for {@code target} ({@code host:port}) over TLS (gRPC's
   * {@link TlsChannelCredentials}: TLS 1.2+, the server's name checked against its certificate),
   * with {@link #withDefaults the defaults}. {@code caFile}: PEM bundle of the CAs to trust for
   * the server's certificate, or null for the JVM's default trust store. {@code certFile} and
   * {@code keyFile} (PEM; the key unencrypted PKCS#8, {@code -----BEGIN PRIVATE KEY-----}): this
   * client's certificate for mutual TLS, or both null. A file that cannot be read is an
   * IOException naming it.
   */
  public static ManagedChannelBuilder<?> tlsChannelBuilder(String target, Path caFile, Path certFile, Path keyFile)
      throws IOException {
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException("a client certificate needs its key, and a key its certificate");
    }
    TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
    if (caFile != null) {
      tls.trustManager(readable(caFile));
    }
    if (certFile != null) {
      tls.keyManager(readable(certFile), readable(keyFile));
    }
    return withDefaults(Grpc.newChannelBuilder(target, tls.build()));
  }

  private static File readable(Path path) throws IOException {
    if (!Files.isReadable(path)) {
      throw new IOException("cannot read " + path + (Files.exists(path) ? "" : ": no such file"));
    }
    return path.toFile();
  }

  /** Applies the {@link #serviceConfig() retry policy} to any channel builder (in-process ones included). */
  public static ManagedChannelBuilder<?> withDefaults(ManagedChannelBuilder<?> builder) {
    return builder.defaultServiceConfig(serviceConfig()).enableRetry();
  }

  /** Seed 000: a JWT that may update one record. {@code expiresIn} null means the default (1 day). */
  public RecordToken createRecordToken(String record, Long expiresInSeconds) {
    CreateRecordTokenRequest.Builder request = CreateRecordTokenRequest.newBuilder().setRecord(record);
    if (expiresInSeconds != null) {
      request.setExpiresIn(expiresInSeconds);
    }
    return call(() -> configure(RecordTokenServiceGrpc.newBlockingStub(channel)).createRecordToken(request.build()));
  }

  /** Seed 001: a read-only fault JWT with a share link. */
  public FaultToken generateFaultToken(int expireAfterMinutes) {
    return call(() -> configure(FaultTokenServiceGrpc.newBlockingStub(channel)).generateFaultToken(
        GenerateFaultTokenRequest.newBuilder().setExpireAfterMinutes(expireAfterMinutes).build()));
  }

  /** Seed 002: an account API token granting modules. */
  public ApiToken createApiToken(ApiToken token) {
    return call(() -> configure(AccountApiTokenServiceGrpc.newBlockingStub(channel)).createApiToken(
        CreateApiTokenRequest.newBuilder().setApiToken(token).build()));
  }

  /** Seed 003: a user access token. */
  public AccessToken createAccessToken(AccessToken token) {
    return call(() -> configure(AccessTokenServiceGrpc.newBlockingStub(channel)).createAccessToken(
        CreateAccessTokenRequest.newBuilder().setAccessToken(token).build()));
  }

  /** Seed 004: a workspace token. */
  public WorkspaceToken createWorkspaceToken(CreateWorkspaceTokenRequest request) {
    return call(() -> configure(WorkspaceTokenServiceGrpc.newBlockingStub(channel)).createWorkspaceToken(request));
  }

  /** A page of the workspace's tokens, newest first (never their secrets). */
  public ListWorkspaceTokensResponse listWorkspaceTokens(ListWorkspaceTokensRequest request) {
    return call(() -> configure(WorkspaceTokenServiceGrpc.newBlockingStub(channel)).listWorkspaceTokens(request));
  }

  public WorkspaceToken getWorkspaceToken(String id) {
    return call(() -> configure(WorkspaceTokenServiceGrpc.newBlockingStub(channel)).getWorkspaceToken(
        GetWorkspaceTokenRequest.newBuilder().setId(id).build()));
  }

  /** Revokes a workspace token (idempotent) and answers it as it now is. */
  public WorkspaceToken revokeWorkspaceToken(String id) {
    return call(() -> configure(WorkspaceTokenServiceGrpc.newBlockingStub(channel)).revokeWorkspaceToken(
        RevokeWorkspaceTokenRequest.newBuilder().setId(id).build()));
  }

  /** A page of one record's tokens, newest first (never their JWTs). */
  public ListRecordTokensResponse listRecordTokens(ListRecordTokensRequest request) {
    return call(() -> records().listRecordTokens(request));
  }

  /** A record token by its record and key, without its JWT. */
  public RecordToken getRecordToken(String record, String key) {
    return call(() -> records().getRecordToken(GetRecordTokenRequest.newBuilder().setRecord(record).setKey(key).build()));
  }

  /** Revokes a record token (idempotent) and answers it as it now is. */
  public RecordToken revokeRecordToken(String record, String key) {
    return call(() -> records().revokeRecordToken(RevokeRecordTokenRequest.newBuilder().setRecord(record).setKey(key).build()));
  }

  /** A page of the tenant's fault tokens, newest first (never their JWTs or share links). */
  public ListFaultTokensResponse listFaultTokens(ListFaultTokensRequest request) {
    return call(() -> faults().listFaultTokens(request));
  }

  /** A fault token by ID, without its JWT or share link. */
  public FaultToken getFaultToken(String id) {
    return call(() -> faults().getFaultToken(GetFaultTokenRequest.newBuilder().setId(id).build()));
  }

  /** Revokes a fault token (idempotent; its share link is gone too) and answers it as it now is. */
  public FaultToken revokeFaultToken(String id) {
    return call(() -> faults().revokeFaultToken(RevokeFaultTokenRequest.newBuilder().setId(id).build()));
  }

  /**
   * Where a share link's {@code code} (the last path segment of {@code short_link}) leads
   * while its token is active. Needs no credential: the code is one (any set are ignored).
   */
  public ResolveShareLinkResponse resolveShareLink(String code) {
    return call(() -> faults().resolveShareLink(ResolveShareLinkRequest.newBuilder().setCode(code).build()));
  }

  /** A page of the tenant's access tokens, newest first (never their secrets). */
  public ListAccessTokensResponse listAccessTokens(ListAccessTokensRequest request) {
    return call(() -> configure(AccessTokenServiceGrpc.newBlockingStub(channel)).listAccessTokens(request));
  }

  public AccessToken getAccessToken(String id) {
    return call(() -> configure(AccessTokenServiceGrpc.newBlockingStub(channel)).getAccessToken(
        GetAccessTokenRequest.newBuilder().setId(id).build()));
  }

  /**
   * Replaces an access token's name and expiry; {@code token.changeSequence} must be the one
   * read (a stale one is ABORTED).
   */
  public AccessToken updateAccessToken(String id, AccessToken token) {
    return call(() -> configure(AccessTokenServiceGrpc.newBlockingStub(channel)).updateAccessToken(
        UpdateAccessTokenRequest.newBuilder().setId(id).setAccessToken(token).build()));
  }

  /** Revokes an access token (idempotent) and answers it as it now is. */
  public AccessToken revokeAccessToken(String id) {
    return call(() -> configure(AccessTokenServiceGrpc.newBlockingStub(channel)).revokeAccessToken(
        RevokeAccessTokenRequest.newBuilder().setId(id).build()));
  }

  /** A page of the tenant's account API tokens, newest first (never their secrets). */
  public ListApiTokensResponse listApiTokens(ListApiTokensRequest request) {
    return call(() -> configure(AccountApiTokenServiceGrpc.newBlockingStub(channel)).listApiTokens(request));
  }

  public ApiToken getApiToken(String id) {
    return call(() -> configure(AccountApiTokenServiceGrpc.newBlockingStub(channel)).getApiToken(
        GetApiTokenRequest.newBuilder().setId(id).build()));
  }

  /** Revokes an account API token (idempotent) and answers it as it now is. */
  public ApiToken revokeApiToken(String id) {
    return call(() -> configure(AccountApiTokenServiceGrpc.newBlockingStub(channel)).revokeApiToken(
        RevokeApiTokenRequest.newBuilder().setId(id).build()));
  }

  /** RFC 7662 introspection of any token this authority minted. */
  public IntrospectTokenResponse introspectToken(String token) {
    return call(() -> tokens().introspectToken(IntrospectTokenRequest.newBuilder().setToken(token).build()));
  }

  /** Whether {@code token} grants {@code action} (a scope) on {@code resource}. */
  public CheckTokenAccessResponse checkTokenAccess(String token, String action, String resource) {
    return call(() -> tokens().checkTokenAccess(CheckTokenAccessRequest.newBuilder().setToken(token).setAction(action)
        .setResource(resource).build()));
  }

  /** Revokes every token a user created, or that was minted with a given token. */
  public RevokeTokensCreatedByResponse revokeTokensCreatedBy(RevokeTokensCreatedByRequest request) {
    return call(() -> tokens().revokeTokensCreatedBy(request));
  }

  public CreateTenantResponse createTenant(CreateTenantRequest request) {
    return call(() -> directory().createTenant(request));
  }

  public User createUser(CreateUserRequest request) {
    return call(() -> directory().createUser(request));
  }

  public Record createRecord(Record record) {
    return call(() -> directory().createRecord(CreateRecordRequest.newBuilder().setRecord(record).build()));
  }

  public Account createAccount(Account account) {
    return call(() -> directory().createAccount(CreateAccountRequest.newBuilder().setAccount(account).build()));
  }

  public Module createModule(Module module) {
    return call(() -> directory().createModule(CreateModuleRequest.newBuilder().setModule(module).build()));
  }

  private RecordTokenServiceGrpc.RecordTokenServiceBlockingStub records() {
    return configure(RecordTokenServiceGrpc.newBlockingStub(channel));
  }

  private FaultTokenServiceGrpc.FaultTokenServiceBlockingStub faults() {
    return configure(FaultTokenServiceGrpc.newBlockingStub(channel));
  }

  private TokenServiceGrpc.TokenServiceBlockingStub tokens() {
    return configure(TokenServiceGrpc.newBlockingStub(channel));
  }

  /** The JSON Web Key Set of the published signing keys (a public method: the credential is not needed). */
  public JsonWebKeySet getJwks() {
    return call(() -> signingKeys().getJwks(GetJwksRequest.getDefaultInstance()));
  }

  /** Makes a new signing key current, retiring the current one (scope {@code keys:write}). */
  public RotateSigningKeyResponse rotateSigningKey() {
    return call(() -> signingKeys().rotateSigningKey(RotateSigningKeyRequest.getDefaultInstance()));
  }

  /** Every signing key, newest first, with its state (scope {@code keys:read}). */
  public ListSigningKeysResponse listSigningKeys() {
    return call(() -> signingKeys().listSigningKeys(ListSigningKeysRequest.getDefaultInstance()));
  }

  private SigningKeyServiceGrpc.SigningKeyServiceBlockingStub signingKeys() {
    return configure(SigningKeyServiceGrpc.newBlockingStub(channel));
  }

  /** One page of the audit log, newest first; needs {@code audit:read}. */
  public ListAuditEventsResponse listAuditEvents(ListAuditEventsRequest request) {
    return call(() -> configure(AuditServiceGrpc.newBlockingStub(channel)).listAuditEvents(request));
  }

  private DirectoryServiceGrpc.DirectoryServiceBlockingStub directory() {
    return configure(DirectoryServiceGrpc.newBlockingStub(channel));
  }

  /** Runs one blocking call, converting its failure to a {@link TokenAuthorityException}. */
  private static <T> T call(Supplier<T> rpc) {
    try {
      return rpc.get();
    } catch (StatusRuntimeException e) {
      throw TokenAuthorityException.from(e);
    }
  }

  private <S extends io.grpc.stub.AbstractStub<S>> S configure(S stub) {
    return stub.withCallCredentials(credentials).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }
}
