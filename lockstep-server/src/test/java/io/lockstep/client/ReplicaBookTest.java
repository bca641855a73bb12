package io.lockstep.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.MemberAddresses;
import io.lockstep.configuration.PendingChange;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.order.FailureModel;
import io.lockstep.net.ClientConfig;
import io.lockstep.net.FrameClient;
import io.lockstep.net.NetOptions;
import java.net.InetSocketAddress;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which addresses a client sends to as the configuration it learns changes. */
class ReplicaBookTest {
  private final FrameClient frames = new FrameClient(ClientConfig.unauthenticated("test",
      "c1", NetOptions.defaults().withIoThreads(1)));

  @AfterEach
  void close() {
    frames.close();
  }

  private static InetSocketAddress original(int i) {
    return new InetSocketAddress("127.0.0.1", 7200 + i);
  }

  private static MemberAddresses member(int id, byte[] key) {
    return new MemberAddresses(id, "10.0.0." + id + ":7100", "10.0.0." + id + ":7200", "", "",
        key);
  }

  private static ClusterConfiguration configuration(long version, List<Integer> set,
      MemberAddresses... members) {
    Map<Integer, MemberAddresses> recorded = new TreeMap<>();
    for (MemberAddresses m : members) {
      recorded.put(m.replica(), m);
    }
    return new ClusterConfiguration(version, new TreeSet<>(), new TreeMap<>(), new TreeSet<>(),
        new TreeMap<>(), new TreeSet<>(set), List.of(), new TreeMap<>(recorded));
  }

  private ReplicaBook book(ClientOptions options) {
    return new ReplicaBook(options, frames, slot -> null);
  }

  private static List<String> addresses(ReplicaBook book) {
    return book.active().stream().map(book::address).toList();
  }

  @Test
  void originalsStayWhileAReplicaOfTheSetHasNoRecordAndGoWhenAllAreRecorded() {
    ReplicaBook book = book(ClientOptions.of("test", List.of(original(1), original(2),
        original(3))));
    assertThat(book.follow(configuration(1, List.of()))).as("nothing known yet").isFalse();
    assertThat(book.follow(configuration(2, List.of(1, 2, 3, 4), member(4, new byte[0]))))
        .isTrue();
    assertThat(addresses(book)).containsExactly("127.0.0.1:7201", "127.0.0.1:7202",
        "127.0.0.1:7203", "10.0.0.4:7200");
    assertThat(book.follow(configuration(3, List.of(4, 5, 6), member(4, new byte[0]),
        member(5, new byte[0]), member(6, new byte[0])))).isTrue();
    assertThat(addresses(book)).containsExactly("10.0.0.4:7200", "10.0.0.5:7200",
        "10.0.0.6:7200");
    assertThat(book.active()).as("slots are never renumbered").containsExactly(3, 4, 5);
    assertThat(book.slotOf("127.0.0.1:7201")).as("a left address is not a target").isEqualTo(-1);
    assertThat(book.next(5)).as("rotation wraps within the active slots").isEqualTo(3);
  }

  @Test
  void aRecordedReplicaThatLeftTheSetIsDroppedEvenWhileOriginalsStay() {
    ReplicaBook book = book(ClientOptions.of("test", List.of(original(1), original(2),
        original(3))));
    book.follow(configuration(2, List.of(1, 2, 3, 4), member(4, new byte[0])));
    assertThat(book.follow(configuration(3, List.of(1, 2, 3), member(4, new byte[0]))))
        .isTrue();
    assertThat(addresses(book)).containsExactly("127.0.0.1:7201", "127.0.0.1:7202",
        "127.0.0.1:7203");
  }

  @Test
  void withReplicaKeysARecordWithoutAKeyIsSkippedAndOneWithAKeyIsUsed() throws Exception {
    PublicKey key = ed25519();
    ClientKeys keys = new ClientKeys(ed25519Private(), List.of(1, 2, 3),
        List.of(key, key, key));
    ReplicaBook book = book(ClientOptions.of("test", List.of(original(1), original(2),
        original(3))).withKeys(keys));
    assertThat(book.follow(configuration(2, List.of(1, 2, 3, 4), member(4, new byte[0]))))
        .as("no key recorded: the client could not check who answers").isFalse();
    assertThat(book.follow(configuration(3, List.of(1, 2, 3, 4), member(4,
        key.getEncoded())))).isTrue();
    assertThat(addresses(book)).contains("10.0.0.4:7200");
  }

  @Test
  void aVotingClientAsksThePendingSetsReplicasAndDropsAReplicaThatLeftByItsId() throws Exception {
    PublicKey key = ed25519();
    ClientKeys keys = new ClientKeys(ed25519Private(), List.of(1, 2, 3, 4),
        List.of(key, key, key, key));
    ReplicaBook book = book(ClientOptions.of("test", List.of(original(1), original(2),
        original(3), original(4))).withKeys(keys).withFailureModel(FailureModel.BYZANTINE));
    MemberAddresses five = member(5, key.getEncoded());
    assertThat(book.follow(configuration(1, List.of(), five)))
        .as("recorded, but in no replica set: not asked").isFalse();
    // [1, 3, 4, 5] is ordered, not yet in force: the protocol may switch before the executor.
    ClusterConfiguration pending = new ClusterConfiguration(2, new TreeSet<>(), new TreeMap<>(),
        new TreeSet<>(), new TreeMap<>(), new TreeSet<>(), List.of(new PendingChange(10, 42,
            new SystemCommand.SetReplicas(new TreeSet<>(List.of(1, 3, 4, 5)), 42))),
        new TreeMap<>(Map.of(5, five)));
    assertThat(book.follow(pending)).isTrue();
    assertThat(addresses(book)).containsExactly("127.0.0.1:7201", "127.0.0.1:7202",
        "127.0.0.1:7203", "127.0.0.1:7204", "10.0.0.5:7200");
    assertThat(book.follow(configuration(3, List.of(1, 3, 4, 5), five))).isTrue();
    assertThat(addresses(book)).as("replica 2 left: its answers no longer count")
        .containsExactly("127.0.0.1:7201", "127.0.0.1:7203", "127.0.0.1:7204",
            "10.0.0.5:7200");
    assertThat(book.replica(book.slotOf("10.0.0.5:7200"))).isEqualTo(5);
    assertThat(book.follow(configuration(4, List.of(1, 3, 4, 6), five)))
        .as("6 has neither a recorded key nor a started slot: skipped").isTrue();
    assertThat(addresses(book)).containsExactly("127.0.0.1:7201", "127.0.0.1:7203",
        "127.0.0.1:7204");
  }

  private static PublicKey ed25519() throws NoSuchAlgorithmException {
    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
  }

  private static java.security.PrivateKey ed25519Private() throws NoSuchAlgorithmException {
    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();
  }

  @Test
  void aReplicaThatRefusedIsNotDialedAgainUntilItsBackOffHasPassed() throws Exception {
    int refusing;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      refusing = probe.getLocalPort(); // closed again: nothing listens there now
    }
    ReplicaBook book = new ReplicaBook(ClientOptions.of("test",
        List.of(new InetSocketAddress("127.0.0.1", refusing))), frames,
        slot -> (connection, payload) -> { });
    java.util.concurrent.CompletableFuture<io.lockstep.net.FrameConnection> first =
        book.connection(0);
    assertThat(first).failsWithin(java.time.Duration.ofSeconds(10));
    long failedAt = System.nanoTime();
    java.util.concurrent.CompletableFuture<io.lockstep.net.FrameConnection> asked =
        book.connection(0);
    if (System.nanoTime() - failedAt < ReplicaBook.FIRST_REDIAL_NANOS) {
      assertThat(asked).as("within the back-off: the failed dial, not a new one")
          .isSameAs(first);
    }
    Thread.sleep(ReplicaBook.FIRST_REDIAL_NANOS / 1_000_000 + 20);
    java.util.concurrent.CompletableFuture<io.lockstep.net.FrameConnection> second =
        book.connection(0);
    assertThat(second).as("after the back-off: dialed again").isNotSameAs(first);
    assertThat(second).failsWithin(java.time.Duration.ofSeconds(10));
    long secondFailedAt = System.nanoTime();
    Thread.sleep(ReplicaBook.FIRST_REDIAL_NANOS / 1_000_000 + 20);
    if (System.nanoTime() - secondFailedAt < 2 * ReplicaBook.FIRST_REDIAL_NANOS) {
      assertThat(book.connection(0)).as("the second failure in a row waits twice as long")
          .isSameAs(second);
    }
  }
}
