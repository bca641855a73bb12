package io.lockstep.timeline;

import io.lockstep.journal.JournalFormat;
import io.lockstep.journal.Stamped;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the journals a real cluster's replicas and clients wrote: {@code <dir>/journal/
 * journal-NNNNNN.journal} (binary, {@link JournalFormat}; {@code .tsv} text files of earlier
 * versions too) under the data directory, every directory in it (each replica's, and a client's
 * journal kept there), and any client journal directory named besides, merged into one list.
 * Damaged content (a file cut by a crash ends in a torn block) is skipped and reported with its
 * file, never fatal; so is a file that is no journal or of a newer format.
 */
public final class JournalDirs {
  /**
   * What was read.
   *
   * @param events the events, in file order (the timeline sorts them)
   * @param files how many journal files were read
   * @param problems one line per skipped stretch, refused file or loss of events
   * @param clientFiles how many of the files were clients' own journals (events on no replica)
   */
  public record Read(List<Stamped> events, int files, List<String> problems, int clientFiles) {}

  private JournalDirs() {}

  /** {@link #read(Path, List, long)} with no client journal directories besides. */
  public static Read read(Path dataDir, long sinceNanos) throws IOException {
    return read(dataDir, List.of(), sinceNanos);
  }

  /**
   * Reads every journal under {@code dataDir} and in {@code clientDirs} (a directory of journal
   * files, or one holding a {@code journal} directory), keeping the events in the last
   * {@code sinceNanos} before the newest one (all of them if {@code sinceNanos <= 0}).
   *
   * @throws IOException if a directory cannot be listed or a file read
   * @throws IllegalArgumentException if there is no journal under {@code dataDir}
   */
  public static Read read(Path dataDir, List<Path> clientDirs, long sinceNanos)
      throws IOException {
    List<Path> files = journalFiles(dataDir);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no journal files (*/journal/journal-*.journal) under "
          + dataDir + ": is it the --data-dir of a cluster started by this version?");
    }
    for (Path client : clientDirs) {
      List<Path> own = new ArrayList<>(filesIn(client));
      own.addAll(filesIn(client.resolve("journal")));
      if (own.isEmpty()) {
        throw new IllegalArgumentException("no journal files (journal-*.journal) in " + client);
      }
      own.stream().filter(f -> !files.contains(f)).forEach(files::add);
    }
    long from = sinceNanos > 0 ? newest(files) - sinceNanos : Long.MIN_VALUE;
    List<Stamped> events = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    int clientFiles = 0;
    for (Path file : files) {
      int before = events.size();
      read(file, e -> {
        if (e.nanos() >= from) {
          events.add(e);
        }
      }, problems);
      if (events.size() > before && events.get(before).replica() < 0) {
        clientFiles++;
      }
    }
    return new Read(events, files.size(), problems, clientFiles);
  }

  /** The newest event in the last file of each directory. */
  private static long newest(List<Path> files) throws IOException {
    long newest = Long.MIN_VALUE;
    for (int i = 0; i < files.size(); i++) {
      boolean lastOfItsDir = i + 1 == files.size()
          || !files.get(i + 1).getParent().equals(files.get(i).getParent());
      if (lastOfItsDir) {
        long[] last = {Long.MIN_VALUE};
        read(files.get(i), e -> last[0] = Math.max(last[0], e.nanos()), new ArrayList<>());
        newest = Math.max(newest, last[0]);
      }
    }
    return newest;
  }

  private static void read(Path file, Consumer<Stamped> into, List<String> problems)
      throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      JournalFormat.read(in, into, new JournalFormat.Problems() {
        @Override
        public void skipped(String what) {
          problems.add(file + ": " + what);
        }

        @Override
        public void lost(long count) {
          problems.add(file + ": lost " + count + " events: the journal ring was full");
        }
      });
    } catch (IllegalArgumentException e) {
      problems.add(file + ": " + e.getMessage() + " (file skipped)");
    }
  }

  /** Journal files of every directory under {@code dataDir}, or of {@code dataDir}. */
  static List<Path> journalFiles(Path dataDir) throws IOException {
    List<Path> files = new ArrayList<>(filesIn(dataDir.resolve("journal")));
    if (Files.isDirectory(dataDir)) {
      List<Path> dirs = new ArrayList<>();
      try (DirectoryStream<Path> replicas = Files.newDirectoryStream(dataDir)) {
        replicas.forEach(dirs::add);
      }
      dirs.sort(null);
      for (Path dir : dirs) {
        files.addAll(filesIn(dir.resolve("journal")));
      }
    }
    return files;
  }

  /** The journal files in {@code dir}, oldest first (by number, whatever the format). */
  private static List<Path> filesIn(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return files;
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir,
        "journal-*.{journal,tsv}")) {
      stream.forEach(files::add);
    }
    files.sort(Comparator.comparing(f -> f.getFileName().toString().replaceAll("\\.\\w+$",
        "")));
    return files;
  }
}
