package io.lockstep.cli;

import static io.lockstep.cli.ClientJournalTimelineTest.rows;
import static io.lockstep.cli.ClientJournalTimelineTest.strings;
import static io.lockstep.cli.Resp.command;
import static io.lockstep.cli.Resp.line;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.journal.Event;
import io.lockstep.net.LoopbackPorts;
import io.lockstep.order.Role;
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
 * Reads on a replica's own Redis port, which no client journal sees: the leader journals each
 * read it serves under its Redis connection and a tag of the read, so the timeline draws every
 * read as a bar of the replicas' view, joined to the leader's marks of taking and answering it.
 */
class RedisPortReadTimelineTest {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();
  private static final int READS = 5;
  @TempDir Path dir;

  @Test
  void everyReadOnTheLeadersRedisPortIsABarWithTheLeadersMarks() throws Exception {
    int base = LoopbackPorts.freeBase(new int[] {0, 100, 200, 300}, 1, 3);
    ClusterConfig config = ClusterConfig.local("redis-reads", 3, base, dir, Service.KV, SECRET);
    List<ReplicaServer> servers = new ArrayList<>();
    try {
      for (int id = 1; id <= 3; id++) {
        servers.add(ReplicaServer.start(config, id));
      }
      ReplicaServer leader = awaitLeader(servers);
      try (Socket socket = new Socket("127.0.0.1", leader.redisPort())) {
        socket.setSoTimeout(30_000);
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

    List<String> requests = strings(page, "requests");
    List<long[]> readBars = rows(page, "bars").stream()
        .filter(b -> requests.get((int) b[5]).contains("~")).toList();
    assertThat(readBars).as("reads drawn as bars, named by connection and tag").hasSize(READS);
    List<long[]> marks = rows(page, "marks");
    for (long[] bar : readBars) {
      assertThat(marks).as("the leader's marks of read %s", requests.get((int) bar[5]))
          .anyMatch(m -> m[1] < 3 && m[4] == bar[5] && m[2] == Event.Kind.PROPOSE.ordinal())
          .anyMatch(m -> m[1] < 3 && m[4] == bar[5] && m[2] == Event.Kind.REPLY.ordinal());
    }
    assertThat(readBars).as("answered: outcome ok").allMatch(b -> b[3] == 0);
  }

  private static ReplicaServer awaitLeader(List<ReplicaServer> servers) throws Exception {
    long end = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < end) {
      for (ReplicaServer s : servers) {
        if (s.status().role() == Role.LEADER) {
          return s;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no leader within 30 s");
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
}
