package io.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.ClientJournal;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.journal.Event;
import io.lockstep.net.LoopbackPorts;
import io.lockstep.server.ReplicaServer;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.Service;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A real 3-replica cluster and a Java client that keeps its own journal under the data
 * directory: {@code lockstep timeline} finds it, draws the client's lane from the client's own
 * view (its operations as bars, its attempts as arrows to the replica that took each request,
 * replies as arrows back), and says where each lane comes from.
 */
class ClientJournalTimelineTest {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();
  private static final int WRITES = 20;
  private static final int READS = 10;
  @TempDir Path dir;
  /** The journaling client's id, once the first test's run has made it. */
  private String clientId;

  /**
   * Runs a real cluster and a journaling client that writes {@value #WRITES} keys and reads
   * {@value #READS} of them back, and returns the page `lockstep timeline` makes of it.
   */
  private String journaledRun() throws Exception {
    int base = LoopbackPorts.freeBase(new int[] {0, 100, 200, 300}, 1, 3);
    ClusterConfig config = ClusterConfig.local("journal", 3, base, dir, Service.KV, SECRET);
    List<ReplicaServer> servers = new ArrayList<>();
    try {
      for (int id = 1; id <= 3; id++) {
        servers.add(ReplicaServer.start(config, id));
      }
      ClientOptions options = ClientOptions.fromConfig(config);
      clientId = options.clientId().value();
      ClientJournal journal = ClientJournal.start(dir.resolve("client").resolve("journal"),
          config.members());
      try (KvClient kv = new KvClient(LockstepClient.connect(options).journal(journal))) {
        for (int i = 0; i < WRITES; i++) {
          kv.set("k" + i, "v" + i);
        }
        for (int i = 0; i < READS; i++) {
          assertThat(kv.get("k" + i)).isEqualTo("v" + i);
        }
      }
    } finally {
      servers.forEach(ReplicaServer::close);
    }
    Path html = dir.resolve("run.html");
    CommandLine cli = new CommandLine(new TimelineCommand());
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(new StringWriter(), true));
    assertThat(cli.execute("--data-dir", dir.toString(), "-o", html.toString())).isZero();
    return Files.readString(html);
  }

  @Test
  void aJournalingClientsLaneComesFromItsOwnViewWithArrowsToAndFromTheReplicas()
      throws Exception {
    String page = journaledRun();
    List<String> lanes = strings(page, "lanes");
    int clientLane = lanes.indexOf("client " + clientId);
    assertThat(clientLane).as("the client's own lane in %s", lanes).isEqualTo(3);
    assertThat(lanes).noneMatch(l -> l.contains("replicas' view"));
    assertThat(page).contains("journal files (1 of them clients' own)");
    List<String> types = strings(page, "types");
    List<long[]> arrows = rows(page, "arrows");
    long submits = arrows.stream().filter(a -> a[1] == clientLane && a[3] < 3 && a[5] == 0
        && types.get((int) a[4]).equals("Submit")).count();
    long replies = arrows.stream().filter(a -> a[1] < 3 && a[3] == clientLane && a[5] == 0
        && types.get((int) a[4]).equals("Reply")).count();
    assertThat(submits).as("attempts that reached a replica").isGreaterThanOrEqualTo(WRITES);
    assertThat(replies).as("replies the client received").isGreaterThanOrEqualTo(WRITES);
    List<long[]> bars = rows(page, "bars");
    assertThat(bars.stream().filter(b -> b[2] == clientLane && b[3] == 0).count())
        .as("ok operations on the client's lane").isEqualTo(WRITES + READS);
  }

  @Test
  void aReadsPathIsDrawnAsAWritesClientToReplicaAndBack() throws Exception {
    String page = journaledRun();
    int clientLane = strings(page, "lanes").indexOf("client " + clientId);
    List<String> types = strings(page, "types");
    List<String> requests = strings(page, "requests");
    List<long[]> arrows = rows(page, "arrows");
    assertThat(arrows.stream().filter(a -> a[1] == clientLane && a[3] < 3 && a[5] == 0
        && types.get((int) a[4]).equals("Read")).count())
        .as("read attempts drawn to the replica that took them").isGreaterThanOrEqualTo(READS);
    assertThat(arrows.stream().filter(a -> a[1] < 3 && a[3] == clientLane && a[5] == 0
        && types.get((int) a[4]).equals("Reply")).count())
        .as("replies, reads' included").isGreaterThanOrEqualTo(WRITES + READS);
    // Each read's bar is named by the attempt that answered it, and that name joins the
    // replica's own marks of it (taken, answered), so a click draws the read's path.
    List<long[]> readBars = rows(page, "bars").stream().filter(b -> b[2] == clientLane
        && requests.get((int) b[5]).contains("~")).toList();
    assertThat(readBars).hasSize(READS);
    List<long[]> marks = rows(page, "marks");
    for (long[] bar : readBars) {
      assertThat(marks).as("replica marks of read %s", requests.get((int) bar[5]))
          .anyMatch(m -> m[1] < 3 && m[4] == bar[5] && m[2] == Event.Kind.PROPOSE.ordinal())
          .anyMatch(m -> m[1] < 3 && m[4] == bar[5] && m[2] == Event.Kind.REPLY.ordinal());
    }
  }

  /** A string array of the page's data, e.g. "lanes". */
  static List<String> strings(String page, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\\[(.*?)\\]").matcher(page);
    assertThat(m.find()).as(name).isTrue();
    List<String> values = new ArrayList<>();
    Matcher s = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(m.group(1));
    while (s.find()) {
      values.add(s.group(1).replace("\\'", "'"));
    }
    return values;
  }

  /** The leading numbers of each row of an array of arrays, e.g. "arrows"; text cells as -1. */
  static List<long[]> rows(String page, String name) {
    int start = page.indexOf("\"" + name + "\":[") + name.length() + 4;
    List<long[]> rows = new ArrayList<>();
    Matcher row = Pattern.compile("\\[([^\\[\\]]*)\\]").matcher(page);
    int at = start;
    while (row.find(at) && row.start() == at) {
      String[] cells = row.group(1).split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");
      long[] numbers = new long[cells.length];
      for (int i = 0; i < cells.length; i++) {
        numbers[i] = cells[i].startsWith("\"") ? -1 : Long.parseLong(cells[i].trim());
      }
      rows.add(numbers);
      at = row.end() + 1;
      if (page.charAt(row.end()) != ',') {
        break;
      }
    }
    return rows;
  }
}
