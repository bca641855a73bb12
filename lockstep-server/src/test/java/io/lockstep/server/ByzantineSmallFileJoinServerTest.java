package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.client.AdminClient;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.client.MemberClient;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.machine.ClientId;
import io.lockstep.net.ClientConfig;
import io.lockstep.net.FrameClient;
import io.lockstep.net.FrameConnection;
import io.lockstep.net.FrameHandler;
import io.lockstep.net.NetOptions;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.KeyFiles;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.server.wire.ClientMessage.MemberOperation;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paper §7 in the Byzantine model, over real TCP: four PBFT replicas ({@code
 * pbft.replica-set=ordered}, t = 1) run from their file; machine 5 starts from a small file
 * that names two seeds (t+1) with their keys and its own private key file. Before the operator
 * records machine 5's key the seeds do not admit it; after the record it takes the book both
 * seeds give alike (every replica's key included), replaces replica 2, catches up, and with
 * replicas 1 and 2 stopped every write needs its vote. Its joining identity asks for the book
 * and nothing else.
 */
class ByzantineSmallFileJoinServerTest {
  private static final Duration ANSWER = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void aMachineFromASmallFileNamingTwoSeedsJoinsAPbftClusterByItsRecordedKeyAndVotes()
      throws Exception {
    ClusterConfig five = FiveByzantineMachines.five(dir);
    ClusterConfig original = FiveByzantineMachines.originals(dir, five);
    Path small = smallFile(original, five);
    ReplicaServer[] servers = new ReplicaServer[5];
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    try {
      for (int i = 1; i <= 4; i++) {
        servers[i - 1] = ReplicaServer.start(original, i);
      }
      assertThatThrownBy(() -> JoinFile.load(small, 5, Duration.ofSeconds(3)))
          .as("no seed admits machine 5 before its key is recorded")
          .isInstanceOf(IOException.class).hasMessageContaining("no 2 seeds");
      ClientOptions options = ClientOptions.fromConfig(original, "proxy")
          .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(30));
      try (LockstepClient client = LockstepClient.connect(options)) {
        KvClient kv = new KvClient(client);
        write(kv, acknowledged, "before", 10);
        try (AdminClient admin = new AdminClient(original, options)) {
          AdminClient.Outcome recorded = admin.send(new SystemCommand.SetMember(
              UnlistedByzantineMemberServerTest.recordOf(five, 5), 0), ANSWER);
          assertThat(recorded.ok()).as(recorded.text()).isTrue();
        }
        assertJoinerMayOnlyAskForTheBook(five);
        JoinFile.Joined joined = JoinFile.load(small, 5, ANSWER);
        ClusterConfig merged = joined.config();
        assertThat(merged.voters()).containsExactly(1, 2, 3, 4);
        assertThat(merged.spares()).containsExactly(5);
        assertThat(merged.keys().replicaKeys()).as("every replica's key, from the book")
            .isEqualTo(five.keys().replicaKeys());
        servers[4] = ReplicaServer.start(merged, 5);
        replace(kv, acknowledged, original, options);
        awaitVoters(servers[4], List.of(1, 3, 4, 5));
        servers[1].close();
        servers[1] = null;
        servers[0].close(); // 3, 4 and 5 are 2t+1: machine 5 must vote
        servers[0] = null;
        write(kv, acknowledged, "after", 10);
        for (Map.Entry<String, String> e : new TreeMap<>(acknowledged).entrySet()) {
          assertThat(kv.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
      }
    } finally {
      for (ReplicaServer s : servers) {
        if (s != null) {
          s.close();
        }
      }
    }
  }

  /**
   * Machine 5's key admits it on a seed's client port as {@code joining-replica-5}, but a
   * read on that connection is refused (the connection is closed, nothing answered): the
   * record gave it no client rights.
   */
  private void assertJoinerMayOnlyAskForTheBook(ClusterConfig five) throws Exception {
    ClientConfig joiner = ClientConfig.keyed("byz", JoinerId.of(5),
        KeyFiles.readPrivateKey(five.keys().replicaKeyFiles().get(5)),
        NetOptions.defaults().withIoThreads(1));
    ReplicaAddresses seed = five.replica(3).orElseThrow();
    try (FrameClient frames = new FrameClient(joiner)) {
      CompletableFuture<ClientMessage> answer = new CompletableFuture<>();
      CompletableFuture<Void> closed = new CompletableFuture<>();
      FrameConnection c = frames.connect(seed.client(), "3", five.keys().replicaKeys().get(3),
          new FrameHandler() {
            @Override
            public void onFrame(FrameConnection connection, byte[] payload) {
              try {
                answer.complete(ClientCodec.decode(payload));
              } catch (Exception e) {
                answer.completeExceptionally(e);
              }
            }

            @Override
            public void onClose(FrameConnection connection) {
              closed.complete(null);
            }
          }).get(30, TimeUnit.SECONDS);
      c.send(ClientCodec.encode(new ClientMessage.AddressBookAsk(7)));
      assertThat(answer.get(30, TimeUnit.SECONDS)).isInstanceOf(
          ClientMessage.AddressBookAnswer.class);
      c.send(ClientCodec.encode(new ClientMessage.Read(8, ClientId.of(JoinerId.of(5)),
          new byte[] {1})));
      closed.get(30, TimeUnit.SECONDS);
    }
  }

  /** Replaces replica 2 by machine 5 while writes flow (positions must advance). */
  private static void replace(KvClient kv, Map<String, String> acknowledged,
      ClusterConfig original, ClientOptions options) throws Exception {
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread load = new Thread(() -> {
      for (int i = 0; writing.get(); i++) {
        write(kv, acknowledged, "during-" + i, 1);
      }
    });
    load.start();
    try (MemberClient members = new MemberClient(original, options)) {
      MemberClient.Outcome replaced = members.send(MemberOperation.REPLACE, 2, 5, ANSWER);
      assertThat(replaced.ok()).as(replaced.text()).isTrue();
    } finally {
      writing.set(false);
      load.join();
    }
  }

  /**
   * The small file: the originals' settings, replicas 3 and 4 as seeds (addresses and keys),
   * and machine 5's own entry with its key; replicas 1 and 2 are not in it.
   */
  private Path smallFile(ClusterConfig original, ClusterConfig five) throws IOException {
    Properties p = original.toProperties();
    p.stringPropertyNames().stream()
        .filter(k -> k.startsWith("replica.1.") || k.startsWith("replica.2.")
            || k.matches("replica\\.\\d+\\.private-key-file"))
        .forEach(p::remove);
    ReplicaAddresses own = five.replica(5).orElseThrow();
    p.setProperty("replica.5.peer", ReplicaAddresses.text(own.peer()));
    p.setProperty("replica.5.client", ReplicaAddresses.text(own.client()));
    p.setProperty("replica.5.redis", ReplicaAddresses.text(own.redis()));
    p.setProperty("replica.5.metrics", ReplicaAddresses.text(own.metrics()));
    p.setProperty("replica.5.public-key", KeyFiles.publicKeyText(five.keys().replicaKeys()
        .get(5)));
    p.setProperty("replica.5.private-key-file", five.keys().replicaKeyFiles().get(5).toString());
    Path file = dir.resolve("join.properties");
    try (Writer w = Files.newBufferedWriter(file)) {
      p.store(w, "machine 5 joins from this small file");
    }
    return file;
  }

  private static void awaitVoters(ReplicaServer server, List<Integer> voters)
      throws InterruptedException {
    long end = System.nanoTime() + ANSWER.toNanos();
    while (!server.status().voters().equals(voters) && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    assertThat(server.status().voters()).as("machine 5 counts the new set").isEqualTo(voters);
  }

  private static void write(KvClient kv, Map<String, String> acknowledged, String prefix,
      int count) {
    for (int i = 0; i < count; i++) {
      String key = prefix + "-" + i;
      kv.set(key, key);
      acknowledged.put(key, key);
    }
  }

}
