package io.lockstep.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NetworkTest {
  private final EventQueue queue = new EventQueue();
  private final List<String> delivered = new ArrayList<>();
  private final Network network = new Network(NetworkModel.lan(), new SplittableRandom(7), queue,
      new Trace(null), (from, to, message) -> delivered.add(from + ">" + to));

  /** Sends one message on every directed link among {@code n} replicas and runs to the end. */
  private List<String> allLinks(int n) {
    delivered.clear();
    for (int from = 0; from < n; from++) {
      for (int to = 0; to < n; to++) {
        if (from != to) {
          network.send(from, to, new Ping(from * n + to));
        }
      }
    }
    while (queue.runNext()) {
      // deliver everything
    }
    return delivered;
  }

  @Test
  void withoutFaultsEveryMessageArrivesOnceAfterAPositiveDelay() {
    assertThat(allLinks(3)).containsExactlyInAnyOrder("0>1", "0>2", "1>0", "1>2", "2>0", "2>1");
    assertThat(queue.now()).isPositive();
    assertThat(network.dropped()).isZero();
  }

  @Test
  void symmetricSplitCutsBothDirectionsBetweenTheSides() {
    network.partition(new Partition.Split(Set.of(0)));
    assertThat(allLinks(3)).containsExactlyInAnyOrder("1>2", "2>1");
  }

  @Test
  void oneWayPartitionCutsOnlyOneDirection() {
    network.partition(new Partition.OneWay(Set.of(0), Set.of(1, 2)));
    assertThat(allLinks(3)).containsExactlyInAnyOrder("1>0", "2>0", "1>2", "2>1");
  }

  @Test
  void bridgePartitionIsNotTransitive() {
    network.partition(new Partition.Bridge(Set.of(0), 1, Set.of(2)));
    assertThat(allLinks(3)).containsExactlyInAnyOrder("0>1", "1>0", "1>2", "2>1");
  }

  @Test
  void bridgeWithFiveReplicasCutsOnlyLeftFromRight() {
    network.partition(new Partition.Bridge(Set.of(0, 1), 2, Set.of(3, 4)));
    List<String> links = allLinks(5);
    assertThat(links).contains("0>1", "0>2", "2>0", "2>4", "3>4", "4>2")
        .doesNotContain("0>3", "3>0", "1>4", "4>1");
    assertThat(links).hasSize(20 - 8);
  }

  @Test
  void clientsCutLeavesReplicaLinksAndCutsClientsFromTheNamedReplicasOnly() {
    network.partition(new Partition.ClientsCut(Set.of(2)));
    assertThat(allLinks(3)).hasSize(6);
    assertThat(network.clientsCutFrom(2)).isTrue();
    assertThat(network.clientsCutFrom(0)).isFalse();
    network.heal();
    assertThat(network.clientsCutFrom(2)).isFalse();
  }

  @Test
  void healingRestoresEveryLink() {
    network.partition(new Partition.Split(Set.of(0, 1)));
    network.heal();
    assertThat(allLinks(3)).hasSize(6);
  }

  @Test
  void messageInFlightWhenAPartitionStartsIsLost() {
    network.send(0, 1, new Ping(1));
    network.partition(new Partition.Split(Set.of(1)));
    while (queue.runNext()) {
      // deliver
    }
    assertThat(delivered).isEmpty();
    assertThat(network.dropped()).isEqualTo(1);
  }

  @Test
  void lossBurstDropsAndDuplicationBurstDuplicates() {
    network.setFaults(0.5, 0.0, 1);
    for (int i = 0; i < 1000; i++) {
      network.send(0, 1, new Ping(i));
    }
    while (queue.runNext()) {
      // deliver
    }
    assertThat(delivered.size()).isBetween(400, 600);
    delivered.clear();
    network.setFaults(0.0, 0.5, 1);
    for (int i = 0; i < 1000; i++) {
      network.send(0, 1, new Ping(i));
    }
    while (queue.runNext()) {
      // deliver
    }
    assertThat(delivered.size()).isBetween(1400, 1600);
  }

  @Test
  void randomDelaysReorderMessagesOnOneLink() {
    List<Integer> order = new ArrayList<>();
    Network reordering = new Network(NetworkModel.lan(), new SplittableRandom(3), queue,
        new Trace(null), (from, to, message) -> order.add(((Ping) message).n()));
    for (int i = 0; i < 100; i++) {
      reordering.send(0, 1, new Ping(i));
    }
    while (queue.runNext()) {
      // deliver
    }
    List<Integer> sent = java.util.stream.IntStream.range(0, 100).boxed().toList();
    assertThat(order).containsExactlyInAnyOrderElementsOf(sent).isNotEqualTo(sent);
  }
}
