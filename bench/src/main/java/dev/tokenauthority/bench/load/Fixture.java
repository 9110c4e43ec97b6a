package dev.tokenauthority.bench.load;

import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.Tenant;
import io.grpc.Channel;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the operations refer to, set up through DirectoryService before any load: a tenant of
 * this run (so runs against one server never collide), its admin token, a record, an account,
 * a module, and a user access token.
 *
 * @param runId distinguishes this run's names (workspace token names are unique per tenant)
 * @param adminSecret the new tenant's admin workspace token (every scope but tenants:write)
 * @param accessSecret an access token (tau_) of that admin
 * @param workspaceTokenId the ID of a workspace token of the tenant, to read
 * @param recordJwt a record token (ES256 JWT) of the tenant, to introspect
 */
record Fixture(String runId, String adminSecret, String accessSecret, String recordId, String accountId,
    String moduleId, String workspaceTokenId, String recordJwt) {

  static Fixture create(Channel channel, String bootstrapSecret) {
    String runId = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    TokenAuthorityClient bootstrap = new TokenAuthorityClient(channel, Credentials.bearer(bootstrapSecret));
    String adminSecret = bootstrap.createTenant(CreateTenantRequest.newBuilder()
            .setTenant(Tenant.newBuilder().setName("bench " + runId))
            .setAdminEmail("bench-" + runId + "@bench.invalid")
            .build())
        .getAdminToken().getToken();
    TokenAuthorityClient admin = bootstrap.withCredentials(Credentials.bearer(adminSecret));
    String recordId = admin.createRecord(Record.newBuilder().setId("bench-record").setTitle("Bench").build()).getId();
    String accountId = admin.createAccount(Account.newBuilder().setId("bench-account").setName("Bench").build()).getId();
    String moduleId = admin.createModule(Module.newBuilder().setId("bench-module").setName("Bench").build()).getId();
    String accessSecret = admin.createAccessToken(AccessToken.newBuilder().setName("bench access").build()).getToken();
    String workspaceTokenId = admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName("bench read").addScopes("tokens:read").build()).getId();
    String recordJwt = admin.createRecordToken(recordId, 86_400L).getToken();
    return new Fixture(runId, adminSecret, accessSecret, recordId, accountId, moduleId, workspaceTokenId, recordJwt);
  }
}
