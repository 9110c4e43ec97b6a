package dev.tokenauthority.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The sealing of a share link's JWT: only its own code and token ID open it. */
class ShareLinksTest {
  private static final String JWT = "eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJmdGtfMSJ9.c2lnbmF0dXJl";
  private final Secrets secrets = new Secrets();
  private final String code = secrets.newCode(16);

  @Test
  void opensWithItsCodeAndTokenIdOnly() {
    String sealed = ShareLinks.seal(code, "ftk_1", JWT);

    assertThat(ShareLinks.open(sealed, code, "ftk_1")).isEqualTo(JWT);
    assertThatThrownBy(() -> ShareLinks.open(sealed, secrets.newCode(16), "ftk_1")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ShareLinks.open(sealed, code, "ftk_2")) // moved to another token's row
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void revealsNothingOfTheJwtAndNeverRepeats() {
    String sealed = ShareLinks.seal(code, "ftk_1", JWT);
    String again = ShareLinks.seal(code, "ftk_1", JWT);

    assertThat(sealed).isNotEqualTo(again); // a fresh nonce each time
    assertThat(new String(Base64.getDecoder().decode(sealed), StandardCharsets.ISO_8859_1))
        .doesNotContain("eyJ").doesNotContain("c2lnbmF0dXJl");
    assertThat(sealed).doesNotContain("eyJ").doesNotContain(code);
    assertThat(Base64.getDecoder().decode(sealed)).hasSize(12 + JWT.length() + 16);
  }

  @Test
  void anAlteredSealIsRefused() {
    byte[] bytes = Base64.getDecoder().decode(ShareLinks.seal(code, "ftk_1", JWT));
    bytes[20] ^= 1;
    String altered = Base64.getEncoder().encodeToString(bytes);
    assertThatThrownBy(() -> ShareLinks.open(altered, code, "ftk_1")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theStoredHashOfTheCodeIsNotTheKey() throws Exception {
    byte[] sealed = Base64.getDecoder().decode(ShareLinks.seal(code, "ftk_1", JWT));
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(HexFormat.of().parseHex(Secrets.hash(code)), "AES"),
        new GCMParameterSpec(128, sealed, 0, 12));
    cipher.updateAAD("ftk_1".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> cipher.doFinal(sealed, 12, sealed.length - 12))
        .isInstanceOf(javax.crypto.AEADBadTagException.class);
  }
}
