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
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A small typed client over the generated blocking stubs: one method per RPC, every call
 * carrying the given credentials and a deadline. The caller owns the channel. Failures
 * surface as {@link io.grpc.StatusRuntimeException} whose trailers carry the
 * {@code google.rpc.Status} details ({@code ErrorInfo}, {@code BadRequest}).
 */
public final class TokenAuthorityClient {
  /** The deadline of every call unless another is given. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

  private final Channel channel;
  private final CallCredentials credentials;
  private final Duration deadline;

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

  /** Seed 000: a JWT that may update one record. {@code expiresIn} null means the default (1 day). */
  public RecordToken createRecordToken(String record, Long expiresInSeconds) {
    CreateRecordTokenRequest.Builder request = CreateRecordTokenRequest.newBuilder().setRecord(record);
    if (expiresInSeconds != null) {
      request.setExpiresIn(expiresInSeconds);
    }
    return configure(RecordTokenServiceGrpc.newBlockingStub(channel)).createRecordToken(request.build());
  }

  /** Seed 001: a read-only fault JWT with a share link. */
  public FaultToken generateFaultToken(int expireAfterMinutes) {
    return configure(FaultTokenServiceGrpc.newBlockingStub(channel)).generateFaultToken(
        GenerateFaultTokenRequest.newBuilder().setExpireAfterMinutes(expireAfterMinutes).build());
  }

  /** Seed 002: an account API token granting modules. */
  public ApiToken createApiToken(ApiToken token) {
    return configure(AccountApiTokenServiceGrpc.newBlockingStub(channel)).createApiToken(
        CreateApiTokenRequest.newBuilder().setApiToken(token).build());
  }

  /** Seed 003: a user access token. */
  public AccessToken createAccessToken(AccessToken token) {
    return configure(AccessTokenServiceGrpc.newBlockingStub(channel)).createAccessToken(
        CreateAccessTokenRequest.newBuilder().setAccessToken(token).build());
  }

  /** Seed 004: a workspace token. */
  public WorkspaceToken createWorkspaceToken(CreateWorkspaceTokenRequest request) {
    return configure(WorkspaceTokenServiceGrpc.newBlockingStub(channel)).createWorkspaceToken(request);
  }

  /** A page of the workspace's tokens, newest first (never their secrets). */
  public ListWorkspaceTokensResponse listWorkspaceTokens(ListWorkspaceTokensRequest request) {
    return configure(WorkspaceTokenServiceGrpc.newBlockingStub(channel)).listWorkspaceTokens(request);
  }

  public WorkspaceToken getWorkspaceToken(String id) {
    return configure(WorkspaceTokenServiceGrpc.newBlockingStub(channel)).getWorkspaceToken(
        GetWorkspaceTokenRequest.newBuilder().setId(id).build());
  }

  /** Revokes a workspace token (idempotent) and answers it as it now is. */
  public WorkspaceToken revokeWorkspaceToken(String id) {
    return configure(WorkspaceTokenServiceGrpc.newBlockingStub(channel)).revokeWorkspaceToken(
        RevokeWorkspaceTokenRequest.newBuilder().setId(id).build());
  }

  /** A page of one record's tokens, newest first (never their JWTs). */
  public ListRecordTokensResponse listRecordTokens(ListRecordTokensRequest request) {
    return records().listRecordTokens(request);
  }

  /** A record token by its record and key, without its JWT. */
  public RecordToken getRecordToken(String record, String key) {
    return records().getRecordToken(GetRecordTokenRequest.newBuilder().setRecord(record).setKey(key).build());
  }

  /** Revokes a record token (idempotent) and answers it as it now is. */
  public RecordToken revokeRecordToken(String record, String key) {
    return records().revokeRecordToken(RevokeRecordTokenRequest.newBuilder().setRecord(record).setKey(key).build());
  }

  /** A page of the tenant's fault tokens, newest first (never their JWTs or share links). */
  public ListFaultTokensResponse listFaultTokens(ListFaultTokensRequest request) {
    return faults().listFaultTokens(request);
  }

  /** A fault token by ID, without its JWT or share link. */
  public FaultToken getFaultToken(String id) {
    return faults().getFaultToken(GetFaultTokenRequest.newBuilder().setId(id).build());
  }

  /** Revokes a fault token (idempotent; its share link is gone too) and answers it as it now is. */
  public FaultToken revokeFaultToken(String id) {
    return faults().revokeFaultToken(RevokeFaultTokenRequest.newBuilder().setId(id).build());
  }

  /**
   * Where a share link's {@code code} (the last path segment of {@code short_link}) leads
   * while its token is active. Needs no credential: the code is one (any set are ignored).
   */
  public ResolveShareLinkResponse resolveShareLink(String code) {
    return faults().resolveShareLink(ResolveShareLinkRequest.newBuilder().setCode(code).build());
  }

  /** A page of the tenant's access tokens, newest first (never their secrets). */
  public ListAccessTokensResponse listAccessTokens(ListAccessTokensRequest request) {
    return configure(AccessTokenServiceGrpc.newBlockingStub(channel)).listAccessTokens(request);
  }

  public AccessToken getAccessToken(String id) {
    return configure(AccessTokenServiceGrpc.newBlockingStub(channel)).getAccessToken(
        GetAccessTokenRequest.newBuilder().setId(id).build());
  }

  /**
   * Replaces an access token's name and expiry; {@code token.changeSequence} must be the one
   * read (a stale one is ABORTED).
   */
  public AccessToken updateAccessToken(String id, AccessToken token) {
    return configure(AccessTokenServiceGrpc.newBlockingStub(channel)).updateAccessToken(
        UpdateAccessTokenRequest.newBuilder().setId(id).setAccessToken(token).build());
  }

  /** Revokes an access token (idempotent) and answers it as it now is. */
  public AccessToken revokeAccessToken(String id) {
    return configure(AccessTokenServiceGrpc.newBlockingStub(channel)).revokeAccessToken(
        RevokeAccessTokenRequest.newBuilder().setId(id).build());
  }

  /** A page of the tenant's account API tokens, newest first (never their secrets). */
  public ListApiTokensResponse listApiTokens(ListApiTokensRequest request) {
    return configure(AccountApiTokenServiceGrpc.newBlockingStub(channel)).listApiTokens(request);
  }

  public ApiToken getApiToken(String id) {
    return configure(AccountApiTokenServiceGrpc.newBlockingStub(channel)).getApiToken(
        GetApiTokenRequest.newBuilder().setId(id).build());
  }

  /** Revokes an account API token (idempotent) and answers it as it now is. */
  public ApiToken revokeApiToken(String id) {
    return configure(AccountApiTokenServiceGrpc.newBlockingStub(channel)).revokeApiToken(
        RevokeApiTokenRequest.newBuilder().setId(id).build());
  }

  /** RFC 7662 introspection of any token this authority minted. */
  public IntrospectTokenResponse introspectToken(String token) {
    return tokens().introspectToken(IntrospectTokenRequest.newBuilder().setToken(token).build());
  }

  /** Whether {@code token} grants {@code action} (a scope) on {@code resource}. */
  public CheckTokenAccessResponse checkTokenAccess(String token, String action, String resource) {
    return tokens().checkTokenAccess(CheckTokenAccessRequest.newBuilder().setToken(token).setAction(action)
        .setResource(resource).build());
  }

  /** Revokes every token a user created, or that was minted with a given token. */
  public RevokeTokensCreatedByResponse revokeTokensCreatedBy(RevokeTokensCreatedByRequest request) {
    return tokens().revokeTokensCreatedBy(request);
  }

  public CreateTenantResponse createTenant(CreateTenantRequest request) {
    return directory().createTenant(request);
  }

  public User createUser(CreateUserRequest request) {
    return directory().createUser(request);
  }

  public Record createRecord(Record record) {
    return directory().createRecord(CreateRecordRequest.newBuilder().setRecord(record).build());
  }

  public Account createAccount(Account account) {
    return directory().createAccount(CreateAccountRequest.newBuilder().setAccount(account).build());
  }

  public Module createModule(Module module) {
    return directory().createModule(CreateModuleRequest.newBuilder().setModule(module).build());
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
    return signingKeys().getJwks(GetJwksRequest.getDefaultInstance());
  }

  /** Makes a new signing key current, retiring the current one (scope {@code keys:write}). */
  public RotateSigningKeyResponse rotateSigningKey() {
    return signingKeys().rotateSigningKey(RotateSigningKeyRequest.getDefaultInstance());
  }

  /** Every signing key, newest first, with its state (scope {@code keys:read}). */
  public ListSigningKeysResponse listSigningKeys() {
    return signingKeys().listSigningKeys(ListSigningKeysRequest.getDefaultInstance());
  }

  private SigningKeyServiceGrpc.SigningKeyServiceBlockingStub signingKeys() {
    return configure(SigningKeyServiceGrpc.newBlockingStub(channel));
  }

  /** One page of the audit log, newest first; needs {@code audit:read}. */
  public ListAuditEventsResponse listAuditEvents(ListAuditEventsRequest request) {
    return configure(AuditServiceGrpc.newBlockingStub(channel)).listAuditEvents(request);
  }

  private DirectoryServiceGrpc.DirectoryServiceBlockingStub directory() {
    return configure(DirectoryServiceGrpc.newBlockingStub(channel));
  }

  private <S extends io.grpc.stub.AbstractStub<S>> S configure(S stub) {
    return stub.withCallCredentials(credentials).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }
}
