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

/** The key rotation interval and the database connect timeout: their flags, forms and bounds; the pool size's floor. */
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

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({
      "250ms, PT0.25S",
      "2s, PT2S",
      "1500MS, PT1.5S",
      "30s, PT30S",
      "' 5s ', PT5S",
      "PT2S, PT2S",
      "PT0.5S, PT0.5S",
  })
  void theConnectTimeoutTakesMillisSecondsAndIso8601(String text, String expected) {
    assertThat(ServerConfig.parseDbConnectTimeout(text)).isEqualTo(Duration.parse(expected));
    Main main = new Main();
    new CommandLine(main).parseArgs("--db-connect-timeout", text);
    assertThat(main.dbConnectTimeout).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"249ms", "0", "0s", "31s", "1m", "PT0.1S", "PT31S", "-2s", "soon", "", "2 s", "2h"})
  void aConnectTimeoutOutside250msTo30sIsRefusedSayingWhatToWrite(String text) {
    assertThatThrownBy(() -> ServerConfig.parseDbConnectTimeout(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageMatching("(?s).*(from 250ms to 30s|write e\\.g\\. 500ms or 2s).*");
    assertThatThrownBy(() -> new CommandLine(new Main()).parseArgs("--db-connect-timeout", text))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--db-connect-timeout");
  }

  @Test
  void theConnectTimeoutDefaultsToTwoSeconds() {
    Main main = new Main();
    new CommandLine(main).parseArgs();
    assertThat(main.dbConnectTimeout).isEqualTo(Duration.ofSeconds(2)); // TA_DB_CONNECT_TIMEOUT is unset here
    ServerConfig defaults = ServerConfig.defaults(Path.of("data"));
    assertThat(defaults.dbConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(defaults.withDbConnectTimeout(Duration.ofMillis(250)).dbConnectTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThatThrownBy(() -> defaults.withDbConnectTimeout(Duration.ofMillis(100)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from 250ms to 30s");
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({"100ms, PT0.1S", "30s, PT30S", "2m, PT2M", "PT1H, PT1H", "' 45s ', PT45S"})
  void theMaxCallDurationTakesMillisSecondsMinutesAndIso8601(String text, String expected) {
    assertThat(ServerConfig.parseMaxCallDuration(text)).isEqualTo(Duration.parse(expected));
    Main main = new Main();
    new CommandLine(main).parseArgs("--max-call-duration", text);
    assertThat(main.maxCallDuration).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"99ms", "0", "0s", "61m", "PT1H0.001S", "-1s", "never", ""})
  void aMaxCallDurationOutside100msTo1hIsRefusedSayingWhatToWrite(String text) {
    assertThatThrownBy(() -> ServerConfig.parseMaxCallDuration(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageMatching("(?s).*(from 100ms to 1h|write e\\.g\\. 500ms or 30s).*");
    assertThatThrownBy(() -> new CommandLine(new Main()).parseArgs("--max-call-duration", text))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--max-call-duration");
  }

  @Test
  void theMaxCallDurationDefaultsToThirtySecondsAndSurvivesEveryWithMethod() {
    Main main = new Main();
    new CommandLine(main).parseArgs();
    assertThat(main.maxCallDuration).isEqualTo(Duration.ofSeconds(30)); // TA_MAX_CALL_DURATION is unset here
    ServerConfig config = ServerConfig.defaults(Path.of("data"));
    assertThat(config.maxCallDuration()).isEqualTo(Duration.ofSeconds(30));
    ServerConfig shorter = config.withMaxCallDuration(Duration.ofMillis(200));
    assertThat(shorter.withGrpcPort(1).withMetricsPort(0).withDbPoolSize(3).maxCallDuration())
        .isEqualTo(Duration.ofMillis(200));
    assertThatThrownBy(() -> config.withMaxCallDuration(Duration.ofMillis(50)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from 100ms to 1h");
  }

  @Test
  void everyWithMethodKeepsTheConnectTimeout() {
    ServerConfig config = ServerConfig.defaults(Path.of("data")).withDbConnectTimeout(Duration.ofSeconds(7));
    for (ServerConfig changed : new ServerConfig[] {config.withGrpcPort(1), config.withHttpPort(2),
        config.withDbUrl("jdbc:h2:mem:x"), config.withMasterKey("k"), config.withCorsOrigins(java.util.Set.of()),
        config.withKeyRotationInterval(Duration.ZERO), config.withShareLinkTarget(ServerConfig.DEFAULT_SHARE_LINK_TARGET),
        config.withAuditAuthFailuresPerSecond(5)}) {
      assertThat(changed.dbConnectTimeout()).isEqualTo(Duration.ofSeconds(7));
      assertThat(changed.dbPoolSize()).isEqualTo(10);
    }
  }

  @Test
  void aPoolOfFewerThanTwoConnectionsIsRefused() {
    ServerConfig defaults = ServerConfig.defaults(Path.of("data"));
    assertThatThrownBy(() -> defaults.withDbPoolSize(1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2");
  }

  @Test
  void fewerThanOneFailedAuthenticationPerMinuteIsRefused() {
    ServerConfig defaults = ServerConfig.defaults(Path.of("data"));
    assertThat(defaults.authFailuresPerMinute()).isEqualTo(20);
    assertThat(defaults.withAuthFailuresPerMinute(1).authFailuresPerMinute()).isEqualTo(1);
    assertThatThrownBy(() -> defaults.withAuthFailuresPerMinute(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
  }

  @Test
  void theCallCapDefaultsToFourPerPooledConnectionAndIsNeverNegative() {
    ServerConfig defaults = ServerConfig.defaults(Path.of("data"));
    assertThat(defaults.maxConcurrentCalls()).isZero();
    assertThat(defaults.effectiveMaxConcurrentCalls()).isEqualTo(40);
    assertThat(defaults.withDbPoolSize(25).effectiveMaxConcurrentCalls()).isEqualTo(100);
    assertThat(defaults.withMaxConcurrentCalls(7).withDbPoolSize(25).effectiveMaxConcurrentCalls()).isEqualTo(7);
    assertThat(defaults.maxQueuedCalls()).isEqualTo(ServerConfig.DEFAULT_MAX_QUEUED_CALLS);
    assertThat(defaults.withMaxQueuedCalls(0).maxQueuedCalls()).isZero();
    assertThatThrownBy(() -> defaults.withMaxConcurrentCalls(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> defaults.withMaxQueuedCalls(-1)).isInstanceOf(IllegalArgumentException.class);

    Main main = new Main(java.util.Map.of("TA_MAX_QUEUED_CALLS", "3"));
    new CommandLine(main).parseArgs("--max-concurrent-calls", "12");
    assertThat(main.maxConcurrentCalls).isEqualTo(12);
    assertThat(main.maxQueuedCalls).isEqualTo(3);
    Main unset = new Main(java.util.Map.of());
    new CommandLine(unset).parseArgs();
    assertThat(unset.maxConcurrentCalls).isZero();
    assertThat(unset.maxQueuedCalls).isEqualTo(ServerConfig.DEFAULT_MAX_QUEUED_CALLS);
  }
}
