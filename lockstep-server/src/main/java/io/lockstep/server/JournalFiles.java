package io.lockstep.server;

import io.lockstep.journal.JournalLines;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A replica's journal on disk: {@code <replica dir>/journal/journal-NNNNNN.tsv}, each file at
 * most about {@code maxFileBytes}, at most {@code maxFiles} of them (the oldest is deleted when a
 * new one starts), so the journal keeps the most recent stretch of the replica's life in bounded
 * space. Numbering continues after the files a previous run left, so a restart appends a new
 * file rather than overwriting. Not forced to disk: the journal is for looking, not for recovery,
 * and an fsync would cost the disk the log needs.
 */
final class JournalFiles implements AutoCloseable {
  static final String PREFIX = "journal-";
  static final String SUFFIX = ".tsv";

  private final Path dir;
  private final long maxFileBytes;
  private final int maxFiles;
  private OutputStream out;
  private byte[] ascii = new byte[1 << 16];
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

  /** Appends {@code text} (whole lines), starting a new file first if the current one is full. */
  void append(CharSequence text) throws IOException {
    if (out == null || written >= maxFileBytes) {
      roll();
    }
    int n = encode(text);
    if (n >= 0) {
      out.write(ascii, 0, n);
    } else {
      byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
      out.write(bytes);
      n = bytes.length;
    }
    out.flush();
    written += n;
  }

  /**
   * Copies {@code text} into {@link #ascii} if it is all ASCII (nearly every journal line: numbers,
   * kind names, message types) and returns its length, else -1. This skips the String copy and the
   * general UTF-8 encoder that the writer thread otherwise pays per batch.
   */
  private int encode(CharSequence text) {
    int n = text.length();
    if (ascii.length < n) {
      ascii = new byte[Math.max(n, ascii.length * 2)];
    }
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c >= 0x80) {
        return -1;
      }
      ascii[i] = (byte) c;
    }
    return n;
  }

  private void roll() throws IOException {
    close();
    number++;
    Path file = dir.resolve(String.format("%s%06d%s", PREFIX, number, SUFFIX));
    out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    byte[] header = (JournalLines.HEADER + "\n").getBytes(StandardCharsets.UTF_8);
    out.write(header);
    written = header.length;
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
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
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
      return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
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
