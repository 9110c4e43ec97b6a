package dev.tokenauthority.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Locale;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The server's logging setup: Logback, configured by {@code logback.xml}, with gRPC's
 * java.util.logging records bridged into it. {@link Main} calls {@link #configure} once,
 * before anything logs.
 */
public final class Logs {
  /** The logger of the one-line-per-call request log (api/RequestLogInterceptor). */
  public static final String REQUEST_LOGGER = "dev.tokenauthority.request";

  /** {@code --log-format}: human-readable lines, or one JSON object per line. */
  public enum Format { TEXT, JSON }

  /** {@code --log-level}: the root level. */
  public enum LogLevel { TRACE, DEBUG, INFO, WARN, ERROR }

  /** logback.xml's one appender, on the root logger. */
  public static final String CONSOLE_APPENDER = "CONSOLE";

  /** The format logback.xml was last loaded in (its own default, at Logback's start: text). */
  private static Format loaded = Format.TEXT;

  private Logs() {}

  /** Sends java.util.logging (gRPC, Netty) to SLF4J, once; idempotent. */
  public static synchronized void bridgeJavaUtilLogging() {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }

  /**
   * Bridges java.util.logging, reloads {@code logback.xml} if {@code format} is not the one it
   * is loaded in, and sets the root level to {@code level}.
   */
  public static synchronized void configure(LogLevel level, Format format) {
    bridgeJavaUtilLogging();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    if (format != loaded) {
      reload(context, format);
    }
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level.name()));
  }

  /** Loads logback.xml afresh; for JSON, its console appender then writes one JSON object per line. */
  private static void reload(LoggerContext context, Format format) {
    URL config = Logs.class.getResource("/logback.xml");
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(config);
    } catch (JoranException e) {
      throw new IllegalStateException("logback.xml does not load", e);
    }
    if (format == Format.JSON) {
      // @timestamp, level, logger_name, message, stack_trace, and the key=value pairs as fields
      LogstashEncoder json = new LogstashEncoder();
      json.setContext(context);
      json.setIncludeContext(false);
      json.start();
      @SuppressWarnings("unchecked")
      OutputStreamAppender<ILoggingEvent> console = (OutputStreamAppender<ILoggingEvent>)
          context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(CONSOLE_APPENDER);
      console.stop();
      console.setEncoder(json);
      console.start();
    }
    loaded = format;
  }

  /** Parses a level name, any case; anything else is an IllegalArgumentException listing the levels. */
  public static LogLevel parseLevel(String text) {
    try {
      return LogLevel.valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not a log level: use TRACE, DEBUG, INFO, WARN or ERROR");
    }
  }

  /** Parses a format name, any case; anything else is an IllegalArgumentException listing the formats. */
  public static Format parseFormat(String text) {
    try {
      return Format.valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not a log format: use text or json");
    }
  }
}
