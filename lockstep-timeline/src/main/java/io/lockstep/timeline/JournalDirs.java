package io.lockstep.timeline;

import io.lockstep.journal.JournalLines;
import io.lockstep.journal.Stamped;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the journals a real cluster's replicas wrote: {@code <data-dir>/<id>/journal/
 * journal-NNNNNN.tsv} for every replica directory (or one replica's own directory), merged into
 * one list. Malformed lines (a file cut by a crash ends in a torn line) are skipped and reported
 * with their file and line, never fatal.
 */
public final class JournalDirs {
  /**
   * What was read.
   *
   * @param events the events, in file order (the timeline sorts them)
   * @param files how many journal files were read
   * @param problems one line per malformed line or comment about lost events
   */
  public record Read(List<Stamped> events, int files, List<String> problems) {}

  private JournalDirs() {}

  /**
   * Reads every journal under {@code dataDir}, keeping the events in the last
   * {@code sinceNanos} before the newest one (all of them if {@code sinceNanos <= 0}).
   *
   * @throws IOException if a directory cannot be listed or a file read
   * @throws IllegalArgumentException if there is no journal under {@code dataDir}
   */
  public static Read read(Path dataDir, long sinceNanos) throws IOException {
    List<Path> files = journalFiles(dataDir);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no journal files (*/journal/journal-*.tsv) under "
          + dataDir + ": is it the --data-dir of a cluster started by this version?");
    }
    long from = Long.MIN_VALUE;
    if (sinceNanos > 0) {
      long newest = Long.MIN_VALUE;
      for (int i = 0; i < files.size(); i++) {
        boolean lastOfItsReplica = i + 1 == files.size()
            || !files.get(i + 1).getParent().equals(files.get(i).getParent());
        if (lastOfItsReplica) {
          newest = Math.max(newest, newest(files.get(i)));
        }
      }
      from = newest - sinceNanos;
    }
    List<Stamped> events = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    long since = from;
    for (Path file : files) {
      read(file, e -> {
        if (e.nanos() >= since) {
          events.add(e);
        }
      }, problems);
    }
    return new Read(events, files.size(), problems);
  }

  private static void read(Path file, Consumer<Stamped> into, List<String> problems)
      throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long number = 0;
      while ((line = in.readLine()) != null) {
        number++;
        if (line.startsWith("# lost")) {
          problems.add(file + ": " + line.substring(2));
        } else if (!line.isEmpty() && !line.startsWith("#")) {
          try {
            into.accept(JournalLines.parse(line));
          } catch (IllegalArgumentException e) {
            problems.add(file + " line " + number + ": " + e.getMessage() + " (skipped)");
          }
        }
      }
    }
  }

  /** The time of the newest event in {@code file} (its last well-formed line). */
  private static long newest(Path file) throws IOException {
    long[] newest = {Long.MIN_VALUE};
    read(file, e -> newest[0] = Math.max(newest[0], e.nanos()), new ArrayList<>());
    return newest[0];
  }

  /** Journal files of every replica directory under {@code dataDir}, or of {@code dataDir}. */
  static List<Path> journalFiles(Path dataDir) throws IOException {
    List<Path> files = new ArrayList<>(filesIn(dataDir.resolve("journal")));
    if (Files.isDirectory(dataDir)) {
      try (DirectoryStream<Path> replicas = Files.newDirectoryStream(dataDir)) {
        for (Path replica : replicas) {
          files.addAll(filesIn(replica.resolve("journal")));
        }
      }
    }
    return files;
  }

  private static List<Path> filesIn(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return files;
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "journal-*.tsv")) {
      stream.forEach(files::add);
    }
    files.sort(null);
    return files;
  }
}
