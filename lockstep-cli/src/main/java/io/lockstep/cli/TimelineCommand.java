package io.lockstep.cli;

import io.lockstep.timeline.JournalDirs;
import io.lockstep.timeline.Timeline;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep timeline}: merges the journals a cluster's replicas wrote into their data
 * directories and writes one self-contained HTML timeline of them.
 */
@Command(
    name = "timeline",
    mixinStandardHelpOptions = true,
    header = "Writes a timeline of a real cluster's journals as one HTML file.",
    description = {
        "Merges the event journals the replicas keep in <data-dir>/<id>/journal/",
        "(messages, proposals, commits, applies, replies, votes, leader changes,",
        "restarts) and those of clients that keep one (found in any <data-dir>/*/journal/",
        "or named with --client-journal), and writes one self-contained HTML page: a lane",
        "per replica and client, messages as arrows, operations as bars. Clients without",
        "a journal are drawn as the replicas saw them, and the page says which lanes are",
        "which. Large journals are sampled and the page says so.",
        "Exit status: 0 written, 2 usage error or no journal found."})
public final class TimelineCommand implements Callable<Integer> {
  private static final int MAX_NOTES = 10;
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  @Spec CommandSpec spec;

  @Option(names = "--data-dir", required = true, paramLabel = "DIR",
      description = "The cluster's data directory (as given to lockstep local), or one"
          + " replica's directory.")
  Path dataDir;

  @Option(names = "--client-journal", paramLabel = "DIR",
      description = "A client's journal directory (the Java client's or `lockstep proxy`'s"
          + " --journal-dir); repeatable.")
  List<Path> clientJournals = new ArrayList<>();

  @Option(names = "--since", paramLabel = "DURATION",
      description = "Only the last DURATION before the newest event, e.g. 30s, 500ms, 5m, 1h"
          + " (default: everything the journals hold).")
  String since;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE",
      description = "The HTML file to write.")
  Path output;

  @Override
  public Integer call() throws IOException {
    long sinceNanos = since == null ? 0 : parseDuration(since);
    JournalDirs.Read read;
    try {
      read = JournalDirs.read(dataDir, clientJournals, sinceNanos);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    Timeline timeline = Timeline.of(read.events()).title("Lockstep cluster " + dataDir
        + (since == null ? "" : ", last " + since))
        .note("Merged " + read.files() + " journal files (" + read.clientFiles() + " of them"
            + " clients' own), " + read.events().size() + " events.");
    PrintWriter err = spec.commandLine().getErr();
    for (String problem : read.problems()) {
      err.println("timeline: " + problem);
    }
    // The page lists a few; a journal torn in many places would otherwise bury the timeline.
    read.problems().stream().limit(MAX_NOTES).forEach(timeline::note);
    if (read.problems().size() > MAX_NOTES) {
      timeline.note("... and " + (read.problems().size() - MAX_NOTES) + " more problems (see"
          + " the command's error output)");
    }
    timeline.write(output);
    spec.commandLine().getOut().printf(Locale.ROOT, "timeline %s: %d events from %d files%n",
        output, read.events().size(), read.files());
    spec.commandLine().getOut().flush();
    return 0;
  }

  private long parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new ParameterException(spec.commandLine(), "--since must be a number with ms, s, m"
          + " or h (e.g. 30s), was '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    long unit = switch (m.group(2)) {
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      default -> 3_600_000_000_000L;
    };
    return Math.multiplyExact(n, unit);
  }
}
