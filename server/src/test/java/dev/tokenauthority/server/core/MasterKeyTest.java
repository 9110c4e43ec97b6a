package dev.tokenauthority.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeyTest {
  @TempDir Path dataDir;

  @Test
  void generatesAKeyFileOnceWithOwnerOnlyPermissions() throws Exception {
    MasterKey first = MasterKey.load(null, dataDir);
    Path file = dataDir.resolve("master.key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    String sealed = first.seal("private".getBytes(StandardCharsets.UTF_8), "kid-1");
    MasterKey again = MasterKey.load(null, dataDir);
    assertThat(new String(again.open(sealed, "kid-1"), StandardCharsets.UTF_8)).isEqualTo("private");
  }

  @Test
  void sealedDataIsBoundToItsKeyAndContext() throws Exception {
    MasterKey key = MasterKey.load(null, dataDir);
    String sealed = key.seal(new byte[] {1, 2, 3}, "kid-1");
    assertThat(sealed).doesNotContain(Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}));
    assertThatThrownBy(() -> key.open(sealed, "kid-2")).isInstanceOf(IllegalStateException.class);
    MasterKey other = MasterKey.load(Base64.getEncoder().encodeToString(new byte[32]), dataDir);
    assertThatThrownBy(() -> other.open(sealed, "kid-1")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aConfiguredKeyMustBe32Bytes() {
    assertThatThrownBy(() -> MasterKey.load(Base64.getEncoder().encodeToString(new byte[16]), dataDir))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
  }
}
