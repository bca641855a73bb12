package io.lockstep.example.bank;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.server.LockstepReplica;
import io.lockstep.server.ReplicaServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's client session, line for line, against three bank replicas started in this JVM
 * through {@link LockstepReplica} (what {@code bank --config FILE replica N} does).
 */
class BankWalkThroughTest {
  @TempDir Path dir;
  private final List<ReplicaServer> replicas = new ArrayList<>();

  @AfterEach
  void stop() {
    replicas.forEach(ReplicaServer::close);
  }

  @Test
  void theReadmesCommandsPrintWhatTheReadmeSays() throws Exception {
    Path config = writeConfig();
    for (int id = 1; id <= 3; id++) {
      replicas.add(LockstepReplica.builder().config(config).id(id).machine(Bank::new).start());
    }
    assertThat(bank(config, "open", "alice")).isEqualTo("alice: opened");
    assertThat(bank(config, "open", "bob")).isEqualTo("bob: opened");
    assertThat(bank(config, "deposit", "alice", "100")).isEqualTo("alice: 100");
    assertThat(bank(config, "withdraw", "alice", "500"))
        .isEqualTo("exit 1: refused: insufficient funds: alice has 100, 500 requested");
    assertThat(bank(config, "transfer", "alice", "bob", "30")).isEqualTo("alice: 70");
    assertThat(bank(config, "balance", "bob")).isEqualTo("bob: 30");
  }

  /** One run of the command line: its output line, or its exit status and error line. */
  private static String bank(Path config, String... command) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] args = new String[command.length + 2];
    args[0] = "--config";
    args[1] = config.toString();
    System.arraycopy(command, 0, args, 2, command.length);
    int status = BankMain.run(args, new PrintStream(out, true), new PrintStream(err, true));
    return status == 0 ? out.toString().strip() : "exit " + status + ": " + err.toString().strip();
  }

  private Path writeConfig() throws IOException {
    StringBuilder text = new StringBuilder("cluster.name=bank\ncluster.t=1\ncluster.data-dir=.\n"
        + "cluster.secret=00112233445566778899aabbccddeeff\n"
        + "cluster.machine=" + Bank.class.getName() + "\n");
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int id = 1; id <= 3; id++) {
        for (String kind : List.of("peer", "client", "redis", "metrics")) {
          ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
          held.add(probe);
          text.append("replica.").append(id).append('.').append(kind).append("=127.0.0.1:")
              .append(probe.getLocalPort()).append('\n');
        }
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
    Path file = dir.resolve("cluster.properties");
    Files.writeString(file, text);
    return file;
  }
}
