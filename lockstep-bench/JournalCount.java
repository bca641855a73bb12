import io.lockstep.journal.JournalFormat;
import io.lockstep.journal.Stamped;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Counts the events in every journal file under the directories given (recursively), by kind,
 * for journal-ab.sh: {@code java -cp <lockstep classpath> lockstep-bench/JournalCount.java DIR...}
 * prints the total, then one line per kind and the events lost or skipped, and the highest view
 * (term) any replica's ELECTION event started (under pbft, how many views a run went through) and
 * how many ELECTION events gave each reason.
 */
public final class JournalCount {
  public static void main(String[] args) throws IOException {
    Map<String, Long> kinds = new TreeMap<>();
    long[] total = new long[2];
    long[] highestElection = {0};
    Map<String, Long> reasons = new TreeMap<>();
    for (String arg : args) {
      try (Stream<Path> files = Files.walk(Path.of(arg), java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
        for (Path file : files.filter(f -> f.getFileName().toString().startsWith("journal-"))
            .toList()) {
          try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            JournalFormat.read(in, (Stamped s) -> {
              total[0]++;
              kinds.merge(s.event().kind().name(), 1L, Long::sum);
              if (s.event().kind() == io.lockstep.journal.Event.Kind.ELECTION) {
                highestElection[0] = Math.max(highestElection[0], s.event().term());
                // Numbers vary per event; the reason's words say what started the view change.
                reasons.merge(s.event().detail().replaceAll("[0-9][0-9.]*", "N"), 1L, Long::sum);
              }
            }, new JournalFormat.Problems() {
              @Override public void skipped(String what) {
                System.err.println(file + ": skipped " + what);
              }
              @Override public void lost(long count) {
                total[1] += count;
              }
            });
          }
        }
      }
    }
    System.out.println(total[0] + " events, " + total[1] + " lost");
    kinds.forEach((kind, count) -> System.out.println("  " + kind + " " + count));
    System.out.println("highest-election-term " + highestElection[0]);
    reasons.forEach((reason, count) -> System.out.println("election-reason " + count + " " + reason));
  }
}
