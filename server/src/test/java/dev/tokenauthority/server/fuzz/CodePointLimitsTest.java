package dev.tokenauthority.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.server.testing.Errors;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.AccountApiTokenServiceGrpc;
import dev.tokenauthority.v1.ApiToken;
import dev.tokenauthority.v1.CreateAccountRequest;
import dev.tokenauthority.v1.CreateApiTokenRequest;
import dev.tokenauthority.v1.CreateModuleRequest;
import dev.tokenauthority.v1.CreateRecordRequest;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateUserRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.DirectoryServiceGrpc;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.Tenant;
import dev.tokenauthority.v1.User;
import dev.tokenauthority.v1.WorkspaceTokenServiceGrpc;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Found by CreateRequestFuzzTest: a workspace token named with 100 emoji (100 characters, the
 * documented limit, but 200 UTF-16 units) passed validation and then failed H2's VARCHAR(100):
 * INTERNAL. Every free-text field at its limit in characters outside the Basic Multilingual
 * Plane is stored (migration V7), and one character more is INVALID_ARGUMENT naming the field.
 */
class CodePointLimitsTest {
  private static final String EMOJI = "😀";
  @TempDir Path dataDir;
  InProcessAuthority authority;
  DirectoryServiceGrpc.DirectoryServiceBlockingStub directory;

  @BeforeEach
  void start() {
    authority = InProcessAuthority.start(dataDir);
    directory = DirectoryServiceGrpc.newBlockingStub(authority.channel())
        .withCallCredentials(Credentials.bearer(authority.adminSecret()));
  }

  @AfterEach
  void stop() {
    authority.close();
  }

  static String emoji(int count) {
    return EMOJI.repeat(count);
  }

  @Test
  void freeTextAtItsLimitInAstralCharactersIsStored() {
    var workspace = WorkspaceTokenServiceGrpc.newBlockingStub(authority.channel())
        .withCallCredentials(Credentials.bearer(authority.adminSecret()));
    assertThat(workspace.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName(emoji(100))
        .addScopes("tokens:read").build()).getName()).isEqualTo(emoji(100));
    Errors.expectInvalid(() -> workspace.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName(emoji(101)).addScopes("tokens:read").build()), "name");

    assertThat(directory.createTenant(CreateTenantRequest.newBuilder().setTenant(Tenant.newBuilder().setName(emoji(100)))
        .setAdminEmail("admin@example.com").build()).getTenant().getName()).isEqualTo(emoji(100));
    User.Builder user = User.newBuilder().setEmail(emoji(242) + "@example.com").setFirstName(emoji(200))
        .setLastName(emoji(200)).setTitle(emoji(200)).setBio(emoji(2000)).setBusinessGroup(emoji(200))
        .setImage(emoji(2000)).setUserType(emoji(50));
    assertThat(directory.createUser(CreateUserRequest.newBuilder().setUser(user).build()).getBio())
        .isEqualTo(emoji(2000));
    assertThat(directory.createRecord(CreateRecordRequest.newBuilder()
        .setRecord(Record.newBuilder().setId("rec-e").setTitle(emoji(200))).build()).getTitle()).isEqualTo(emoji(200));
    assertThat(directory.createAccount(CreateAccountRequest.newBuilder().setAccount(Account.newBuilder().setId("acc-e")
        .setName(emoji(200)).setIcon(emoji(2000)).setType(emoji(50))).build()).getName()).isEqualTo(emoji(200));
    ListValue values = ListValue.newBuilder().addValues(Value.newBuilder().setStringValue(emoji(1000))).build();
    assertThat(directory.createModule(CreateModuleRequest.newBuilder().setModule(Module.newBuilder().setId("mod-e")
        .setName(emoji(200)).setDescription(emoji(2000)).putFilters(emoji(200), values)).build()).getName())
        .isEqualTo(emoji(200));
    var apiTokens = AccountApiTokenServiceGrpc.newBlockingStub(authority.channel())
        .withCallCredentials(Credentials.bearer(authority.adminSecret()));
    ApiToken created = apiTokens.createApiToken(CreateApiTokenRequest.newBuilder().setApiToken(ApiToken.newBuilder()
        .setAccount(Account.newBuilder().setId("acc-e")).setName(emoji(100)).setDescription(emoji(2000))
        .setIcon(emoji(2000))).build());
    assertThat(created.getDescription()).isEqualTo(emoji(2000));
  }
}
