package dev.tokenauthority.bench.load;

import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.AccessTokenServiceGrpc;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.AccountApiTokenServiceGrpc;
import dev.tokenauthority.v1.ApiToken;
import dev.tokenauthority.v1.CreateAccessTokenRequest;
import dev.tokenauthority.v1.CreateApiTokenRequest;
import dev.tokenauthority.v1.CreateRecordTokenRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.FaultTokenServiceGrpc;
import dev.tokenauthority.v1.GenerateFaultTokenRequest;
import dev.tokenauthority.v1.GetWorkspaceTokenRequest;
import dev.tokenauthority.v1.IntrospectTokenRequest;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.RecordTokenServiceGrpc;
import dev.tokenauthority.v1.RevokeWorkspaceTokenRequest;
import dev.tokenauthority.v1.TokenServiceGrpc;
import dev.tokenauthority.v1.WorkspaceTokenServiceGrpc;
import io.grpc.Status;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Every gRPC operation the harness measures, in report order. Measuring another RPC is one entry here. */
final class Operations {
  static final String ECHO = "echo";
  static final String MINT_WORKSPACE = "mint_workspace";
  static final String INTROSPECT_OPAQUE = "introspect_opaque";
  static final String REVOKE = "revoke";

  private Operations() {}

  /**
   * Workspace tokens minted (by {@link #revokePoolMinter}) before the revoke run, which revokes
   * one per call; past the last it starts again, and a repeated revocation is idempotent.
   */
  static final class RevokePool {
    private final Queue<String> minted = new ConcurrentLinkedQueue<>();
    private volatile String[] ids = new String[0];

    /** Takes the tokens minted so far as the pool. */
    void freeze() {
      ids = minted.toArray(String[]::new);
    }

    String id(long call) {
      String[] all = ids;
      return all[(int) ((call - 1) % all.length)];
    }
  }

  /** Mints workspace tokens into {@code pool} (run it with {@code LoadDriver.repeat}, then freeze the pool). */
  static Operation<?, ?> revokePoolMinter(Fixture fixture, RevokePool pool) {
    String prefix = "bench-" + fixture.runId() + "-revocable-";
    return Operation.of("revoke_pool", "CreateWorkspaceToken for the revoke run",
        WorkspaceTokenServiceGrpc.getCreateWorkspaceTokenMethod(),
        n -> CreateWorkspaceTokenRequest.newBuilder().setName(prefix + n).addScopes("tokens:read").build(),
        Credentials.bearer(fixture.adminSecret()))
        .keeping(token -> pool.minted.add(token.getId()));
  }

  static List<Operation<?, ?>> grpc(Fixture fixture, int echoBytes, RevokePool revocable) {
    Credentials admin = Credentials.bearer(fixture.adminSecret());
    Credentials access = Credentials.bearer(fixture.accessSecret());
    BytesValue echo = BytesValue.of(ByteString.copyFrom(new byte[echoBytes]));
    CreateRecordTokenRequest record = CreateRecordTokenRequest.newBuilder()
        .setRecord(fixture.recordId()).setExpiresIn(3600).build();
    GenerateFaultTokenRequest fault = GenerateFaultTokenRequest.newBuilder().setExpireAfterMinutes(60).build();
    CreateApiTokenRequest api = CreateApiTokenRequest.newBuilder().setApiToken(ApiToken.newBuilder()
            .setName("bench").setAccount(Account.newBuilder().setId(fixture.accountId()))
            .addModules(Module.newBuilder().setId(fixture.moduleId())))
        .build();
    CreateAccessTokenRequest accessToken = CreateAccessTokenRequest.newBuilder()
        .setAccessToken(AccessToken.newBuilder().setName("bench")).build();
    String workspacePrefix = "bench-" + fixture.runId() + "-";
    // Authenticated, then refused by validation (empty name) before any write: the cheapest
    // authenticated call until a read RPC exists.
    CreateWorkspaceTokenRequest unnamed = CreateWorkspaceTokenRequest.newBuilder().addScopes("tokens:read").build();
    GetWorkspaceTokenRequest get = GetWorkspaceTokenRequest.newBuilder().setId(fixture.workspaceTokenId()).build();
    IntrospectTokenRequest introspectOpaque = IntrospectTokenRequest.newBuilder().setToken(fixture.accessSecret()).build();
    IntrospectTokenRequest introspectJwt = IntrospectTokenRequest.newBuilder().setToken(fixture.recordJwt()).build();
    return List.of(
        Operation.of(ECHO, "transport baseline: " + echoBytes + "-byte echo, no auth, no store",
            Echo.METHOD, n -> echo, null),
        Operation.of("mint_record", "CreateRecordToken: ES256 JWT, persisted",
            RecordTokenServiceGrpc.getCreateRecordTokenMethod(), n -> record, admin),
        Operation.of("mint_fault", "GenerateFaultToken: ES256 JWT + share link, persisted",
            FaultTokenServiceGrpc.getGenerateFaultTokenMethod(), n -> fault, admin),
        Operation.of("mint_api", "CreateApiToken: opaque taa_ with one module, persisted",
            AccountApiTokenServiceGrpc.getCreateApiTokenMethod(), n -> api, admin),
        Operation.of("mint_access", "CreateAccessToken: opaque tau_, persisted",
            AccessTokenServiceGrpc.getCreateAccessTokenMethod(), n -> accessToken, admin),
        Operation.of(MINT_WORKSPACE, "CreateWorkspaceToken: opaque taw_, unique name, persisted",
            WorkspaceTokenServiceGrpc.getCreateWorkspaceTokenMethod(),
            n -> CreateWorkspaceTokenRequest.newBuilder().setName(workspacePrefix + n).addScopes("tokens:read").build(),
            admin),
        Operation.failingWith(Status.Code.INVALID_ARGUMENT, "authenticate",
            "a minted access token authenticates (hash + token and user lookups); the call is then refused "
                + "as INVALID_ARGUMENT before any write",
            WorkspaceTokenServiceGrpc.getCreateWorkspaceTokenMethod(), n -> unnamed, access),
        Operation.of("authenticate_and_get", "GetWorkspaceToken with an access token: authenticate, then one read",
            WorkspaceTokenServiceGrpc.getGetWorkspaceTokenMethod(), n -> get, access),
        Operation.of(INTROSPECT_OPAQUE, "IntrospectToken of an access token (tau_): hash lookup + user check",
            TokenServiceGrpc.getIntrospectTokenMethod(), n -> introspectOpaque, admin),
        Operation.of("introspect_jwt", "IntrospectToken of a record JWT: lookup by the JWT's hash, no signature check",
            TokenServiceGrpc.getIntrospectTokenMethod(), n -> introspectJwt, admin),
        Operation.of(REVOKE, "RevokeWorkspaceToken: one token of a pool minted for this run per call (past the "
                + "pool's end, repeats: idempotent)",
            WorkspaceTokenServiceGrpc.getRevokeWorkspaceTokenMethod(),
            n -> RevokeWorkspaceTokenRequest.newBuilder().setId(revocable.id(n)).build(), admin)
    );
  }
}
