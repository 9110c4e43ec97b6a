package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The key rotation interval: its flag, its forms and its bounds. */
class ServerConfigTest {

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({
      "0, PT0S",
      "30d, PT720H",
      "90D, PT2160H",
      "12h, PT12H",
      "90m, PT1H30M",
      "3600s, PT1H",
      "P90D, PT2160H",
      "PT36H, PT36H",
      "' 7d ', PT168H",
  })
  void theIntervalTakesZeroShortFormsAndIso8601(String text, String expected) {
    assertThat(ServerConfig.parseKeyRotationInterval(text)).isEqualTo(Duration.parse(expected));
    Main main = new Main();
    new CommandLine(main).parseArgs("--key-rotation-interval", text);
    assertThat(main.keyRotationInterval).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"59m", "3599s", "PT30M", "-5d", "PT-2H", "soon", "", "30 d", "1w", "d", "9999999999d"})
  void anythingElseIsRefusedSayingWhatToWrite(String text) {
    assertThatThrownBy(() -> ServerConfig.parseKeyRotationInterval(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0 (never)");
    assertThatThrownBy(() -> new CommandLine(new Main()).parseArgs("--key-rotation-interval", text))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--key-rotation-interval");
  }

  @Test
  void theDefaultIsNinetyDays() {
    Main main = new Main();
    new CommandLine(main).parseArgs();
    assertThat(main.keyRotationInterval).isEqualTo(Duration.ofDays(90)); // TA_KEY_ROTATION_INTERVAL is unset here
    assertThat(ServerConfig.defaults(Path.of("data")).keyRotationInterval()).isEqualTo(Duration.ofDays(90));
  }

  @Test
  void aConfigCannotHoldAnIntervalUnderAnHour() {
    ServerConfig defaults = ServerConfig.defaults(Path.of("data"));
    assertThat(defaults.withKeyRotationInterval(Duration.ofHours(1)).keyRotationInterval()).isEqualTo(Duration.ofHours(1));
    assertThat(defaults.withKeyRotationInterval(Duration.ZERO).keyRotationInterval()).isZero();
    assertThatThrownBy(() -> defaults.withKeyRotationInterval(Duration.ofMinutes(59)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 hour");
  }
}
