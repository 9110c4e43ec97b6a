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
import dev.tokenauthority.v1.FaultTokenServiceGrpc;
import dev.tokenauthority.v1.GenerateFaultTokenRequest;
import dev.tokenauthority.v1.ListAuditEventsRequest;
import dev.tokenauthority.v1.ListAuditEventsResponse;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.RecordToken;
import dev.tokenauthority.v1.RecordTokenServiceGrpc;
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
