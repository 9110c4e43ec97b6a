package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.WorkspaceToken;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The H2 file store survives a restart: tokens, directory, signing key and bootstrap. */
class RestartTest {
  @TempDir Path dataDir;

  @Test
  void tokensMintedBeforeARestartStillResolveAfterIt() throws Exception {
    String adminSecret;
    String workspaceSecret;
    String accessSecret;
    String kidBefore;
    try (InProcessAuthority authority = InProcessAuthority.start(dataDir)) {
      adminSecret = authority.adminSecret();
      WorkspaceToken workspace = authority.admin().createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
          .setName("survivor").addScopes("tokens:write").build());
      workspaceSecret = workspace.getToken();
      AccessToken access = authority.admin().createAccessToken(AccessToken.newBuilder().setName("cli").build());
      accessSecret = access.getToken();
      authority.admin().createRecord(Record.newBuilder().setId("rec-1").build());
      kidBefore = JWT.decode(authority.admin().createRecordToken("rec-1", null).getToken()).getKeyId();
    }
    String bootstrapFileBefore = Files.readString(dataDir.resolve("bootstrap-token"));

    try (InProcessAuthority authority = InProcessAuthority.start(dataDir)) {
      assertThat(authority.adminSecret()).isEqualTo(adminSecret);
      assertThat(Files.readString(dataDir.resolve("bootstrap-token"))).isEqualTo(bootstrapFileBefore);
      // each credential minted before the restart still authenticates and acts
      assertThat(authority.client(workspaceSecret).createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
          .setName("after-restart").addScopes("tokens:write").build()).getStatus()).isEqualTo("active");
      assertThat(authority.client(accessSecret).createAccessToken(AccessToken.newBuilder().setName("again").build())
          .getChangeSequence()).isEqualTo(1);
      // the directory and the signing key persisted too
      assertThat(JWT.decode(authority.admin().createRecordToken("rec-1", null).getToken()).getKeyId())
          .isEqualTo(kidBefore);
      // the unique name taken before the restart is still taken
      Throwable duplicate = org.assertj.core.api.Assertions.catchThrowable(() -> authority.client(workspaceSecret)
          .createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("survivor").addScopes("tokens:write")
              .build()));
      assertThat(duplicate).hasMessageContaining("ALREADY_EXISTS");
    }
  }
}
