package io.lockstep.server;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what a server class logs through System.Logger (backed by java.util.logging, as in
 * the storage module's tests), so a test can check the {@code event=} lines operators grep for.
 */
final class LogCapture extends Handler implements AutoCloseable {
  private final Logger logger;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  LogCapture(Class<?> source) {
    logger = Logger.getLogger(source.getName());
    logger.setLevel(Level.ALL);
    logger.addHandler(this);
  }

  /** Formatted messages at {@code level} or above, oldest first. */
  List<String> lines(Level level) {
    java.util.logging.Formatter formatter = new java.util.logging.SimpleFormatter();
    return records.stream().filter(r -> r.getLevel().intValue() >= level.intValue())
        .map(formatter::formatMessage).toList();
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
