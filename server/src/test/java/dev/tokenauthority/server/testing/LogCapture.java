package dev.tokenauthority.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures what one Logback logger (and those below it) logs while open: the events, and
 * each as a text line with its key=value pairs and any stack trace. Restores the logger's
 * level on close.
 */
public final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final Level previousLevel;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final PatternLayout layout = new PatternLayout();

  private LogCapture(String name, Level level) {
    logger = (Logger) LoggerFactory.getLogger(name);
    previousLevel = logger.getLevel();
    if (level != null) {
      logger.setLevel(level);
    }
    appender.setContext(logger.getLoggerContext());
    appender.start();
    layout.setContext(logger.getLoggerContext());
    layout.setPattern("%level %logger - %msg %kvp{NONE}%n%ex");
    layout.start();
    logger.addAppender(appender);
  }

  /** Captures {@code name} at its configured level. */
  public static LogCapture of(String name) {
    return new LogCapture(name, null);
  }

  /** Captures {@code name}, set to {@code level} until closed. */
  public static LogCapture of(String name, Level level) {
    return new LogCapture(name, level);
  }

  /** Captures every logger (the root), set to {@code level} until closed. */
  public static LogCapture root(Level level) {
    return new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME, level);
  }

  public List<ILoggingEvent> events() {
    return List.copyOf(appender.list);
  }

  /** Every event as text: level, logger, message, key=value pairs, then the stack trace if any. */
  public List<String> lines() {
    return events().stream().map(layout::doLayout).toList();
  }

  public String text() {
    return String.join("", lines());
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(previousLevel);
  }
}
