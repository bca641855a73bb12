package io.lockstep.cli;

import static io.lockstep.cli.ClientJournalTimelineTest.rows;
import static io.lockstep.cli.ClientJournalTimelineTest.strings;
import static io.lockstep.cli.Resp.command;
import static io.lockstep.cli.Resp.line;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.cli.cluster.LocalLayout;
import io.lockstep.client.ClientJournal;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.RedisProxy;
import io.lockstep.journal.Event;
import io.lockstep.net.LoopbackPorts;
import io.lockstep.order.FailureModel;
import io.lockstep.server.ReplicaServer;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.Service;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Reads through the voting proxy of a real Byzantine (PBFT, 4 replicas) cluster: the proxy's
 * voting client sends each read to every replica under one wire tag, so the timeline draws the
 * read's attempt to each replica that took it and each answer back, and the read's bar is named
 * by that tag and joins the replicas' own marks of it, as a fail-stop client's reads are.
 */
class VotingReadTimelineTest {
  private static final int READS = 5;
  @TempDir Path dir;

  @Test
  void aVotedReadIsDrawnToEveryReplicaAndBackAndItsBarJoinsTheirMarks() throws Exception {
    int base = LoopbackPorts.freeBase(new int[] {0, 100, 200, 300}, 1, 4);
    ClusterConfig config = new LocalLayout(dir, 4, base, Service.KV, null,
        FailureModel.BYZANTINE).prepare();
    List<ReplicaServer> servers = new ArrayList<>();
    try {
      for (int id = 1; id <= 4; id++) {
        servers.add(ReplicaServer.start(config, id));
      }
      ClientJournal journal = ClientJournal.start(dir.resolve("proxy").resolve("journal"),
          config.members());
      try (RedisProxy proxy = RedisProxy.start(ClientOptions.fromConfig(config, "proxy"),
          "127.0.0.1", 0, null, journal);
          Socket socket = new Socket("127.0.0.1", proxy.port())) {
        socket.setSoTimeout(60_000);
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        out.write(command("SET", "k", "v"));
        assertThat(line(in)).isEqualTo("+OK");
        for (int i = 0; i < READS; i++) {
          out.write(command("GET", "k"));
          assertThat(line(in)).isEqualTo("$1");
          assertThat(line(in)).isEqualTo("v");
        }
      }
    } finally {
      servers.forEach(ReplicaServer::close);
    }
    String page = render();

    int proxyLane = lane(strings(page, "lanes"));
    List<String> types = strings(page, "types");
    List<String> requests = strings(page, "requests");
    List<long[]> arrows = rows(page, "arrows");
    // Arrow rows: t0, lane0, t1, lane1, type, kind (0: a message that arrived).
    long attempts = arrows.stream().filter(a -> a[1] == proxyLane && a[3] < 4 && a[5] == 0
        && types.get((int) a[4]).equals("Read")).count();
    long answers = arrows.stream().filter(a -> a[1] < 4 && a[3] == proxyLane && a[5] == 0
        && types.get((int) a[4]).equals("Reply")).count();
    // 2t+1 = 3 matching answers decide a read: at least that many replicas took each one.
    assertThat(attempts).as("read attempts drawn to the replicas that took them")
        .isGreaterThanOrEqualTo(3L * READS);
    assertThat(answers).as("answers drawn back to the proxy, the write's included")
        .isGreaterThanOrEqualTo(3L * READS + 3);

    List<long[]> readBars = rows(page, "bars").stream().filter(b -> b[2] == proxyLane
        && requests.get((int) b[5]).contains("~")).toList();
    assertThat(readBars).as("each read's bar named by its tag").hasSize(READS);
    List<long[]> marks = rows(page, "marks");
    for (long[] bar : readBars) {
      assertThat(marks.stream().filter(m -> m[1] < 4 && m[4] == bar[5]
          && m[2] == Event.Kind.PROPOSE.ordinal()).map(m -> m[1]).distinct().count())
          .as("replicas that journaled taking read %s", requests.get((int) bar[5]))
          .isGreaterThanOrEqualTo(3);
    }
  }

  private String render() throws Exception {
    Path html = dir.resolve("run.html");
    CommandLine cli = new CommandLine(new TimelineCommand());
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(err, true));
    assertThat(cli.execute("--data-dir", dir.toString(), "-o", html.toString()))
        .as(err.toString()).isZero();
    return Files.readString(html);
  }

  /** The proxy's lane: the one client lane (its sessions' ids start with its client id). */
  private static int lane(List<String> lanes) {
    for (int i = 0; i < lanes.size(); i++) {
      if (lanes.get(i).startsWith("client proxy")) {
        return i;
      }
    }
    throw new AssertionError("no proxy lane in " + lanes);
  }
}
