package dev.tokenauthority.server.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretsTest {
  private final Secrets secrets = new Secrets();

  @Test
  void secretsCarryTheirKindPrefixAndAValidChecksum() {
    for (TokenKind kind : TokenKind.values()) {
      if (!kind.isOpaque()) {
        continue;
      }
      String secret = secrets.newSecret(kind);
      assertThat(secret).startsWith(kind.secretPrefix()).hasSize(kind.secretPrefix().length() + 49)
          .matches("[a-z]{3}_[0-9A-Za-z]{49}");
      assertThat(Secrets.kindOf(secret)).isEqualTo(kind);
    }
  }

  @Test
  void anyAlteredCharacterFailsTheChecksum() {
    String secret = secrets.newSecret(TokenKind.WORKSPACE);
    for (int i = 4; i < secret.length(); i++) {
      char replacement = secret.charAt(i) == 'A' ? 'B' : 'A';
      String altered = secret.substring(0, i) + replacement + secret.substring(i + 1);
      assertThat(Secrets.kindOf(altered)).as("altered at %d", i).isNull();
    }
    assertThat(Secrets.kindOf(secret + "x")).isNull();
    assertThat(Secrets.kindOf("taw_short")).isNull();
    assertThat(Secrets.kindOf("eyJhbGciOiJFUzI1NiJ9.e30.sig")).isNull();
  }

  @Test
  void secretsDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      assertThat(seen.add(secrets.newSecret(TokenKind.ACCESS))).isTrue();
    }
  }

  @Test
  void hashesAreHexSha256AndCompareInConstantTime() {
    // SHA-256("abc"), FIPS 180-2 test vector
    assertThat(Secrets.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(Secrets.sameHash(Secrets.hash("a"), Secrets.hash("a"))).isTrue();
    assertThat(Secrets.sameHash(Secrets.hash("a"), Secrets.hash("b"))).isFalse();
  }

  @Test
  void idsAreAPrefixAndLowercaseAlphanumerics() {
    assertThat(secrets.newId("tok_", 24)).matches("tok_[a-z0-9]{24}");
    assertThat(secrets.newCode(16)).matches("[0-9A-Za-z]{16}");
  }
}
