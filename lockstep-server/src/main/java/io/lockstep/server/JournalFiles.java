package io.lockstep.server;

import io.lockstep.journal.JournalFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A journal on disk: {@code <dir>/journal-NNNNNN.journal}, each file at
 * most about {@code maxFileBytes}, at most {@code maxFiles} of them (the oldest is deleted when a
 * new one starts), so the journal keeps the most recent stretch of the process's life in bounded
 * space. Numbering continues after the files a previous run left, so a restart appends a new
 * file rather than overwriting. Not forced to disk: the journal is for looking, not for recovery,
 * and an fsync would cost the disk the log needs.
 */
final class JournalFiles implements AutoCloseable {
  static final String PREFIX = "journal-";
  /** Binary files ({@link JournalFormat}). */
  static final String SUFFIX = ".journal";
  /** Text files an earlier version wrote: still counted, numbered after and deleted in turn. */
  static final String OLD_SUFFIX = ".tsv";

  private final Path dir;
  private final long maxFileBytes;
  private final int maxFiles;
  private OutputStream out;
  private long written;
  private long number;

  JournalFiles(Path dir, long maxFileBytes, int maxFiles) throws IOException {
    if (maxFileBytes < 1 || maxFiles < 1) {
      throw new IllegalArgumentException("journal files need a positive size and count, were "
          + maxFileBytes + " and " + maxFiles);
    }
    this.dir = dir;
    this.maxFileBytes = maxFileBytes;
    this.maxFiles = maxFiles;
    Files.createDirectories(dir);
    List<Path> existing = files(dir);
    number = existing.isEmpty() ? 0 : numberOf(existing.get(existing.size() - 1));
  }

  /**
   * Appends one whole block ({@link io.lockstep.journal.JournalEncoder}), starting a new file
   * first if the current one is full, so a file ends at a block's end and every file reads on its
   * own.
   */
  void append(byte[] bytes, int offset, int length) throws IOException {
    if (out == null || written >= maxFileBytes) {
      roll();
    }
    out.write(bytes, offset, length);
    written += length;
  }

  private void roll() throws IOException {
    close();
    number++;
    Path file = dir.resolve(String.format("%s%06d%s", PREFIX, number, SUFFIX));
    // Unbuffered: the encoder hands over whole blocks (up to 64 KiB), one write call each, so a
    // reader of a live journal sees every drained event at once.
    out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    out.write(JournalFormat.HEADER);
    written = JournalFormat.HEADER.length;
    List<Path> all = files(dir);
    for (int i = 0; i < all.size() - maxFiles; i++) {
      Files.deleteIfExists(all.get(i));
    }
  }

  /** The journal files in {@code dir}, oldest first. */
  static List<Path> files(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return files;
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir,
        PREFIX + "*{" + SUFFIX + "," + OLD_SUFFIX + "}")) {
      for (Path file : stream) {
        if (numberOf(file) >= 0) {
          files.add(file);
        }
      }
    }
    files.sort((a, b) -> Long.compare(numberOf(a), numberOf(b)));
    return files;
  }

  private static long numberOf(Path file) {
    String name = file.getFileName().toString();
    try {
      int suffix = name.endsWith(SUFFIX) ? SUFFIX.length() : OLD_SUFFIX.length();
      return Long.parseLong(name.substring(PREFIX.length(), name.length() - suffix));
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      return -1;
    }
  }

  @Override
  public void close() throws IOException {
    if (out != null) {
      out.close();
      out = null;
    }
  }
}
