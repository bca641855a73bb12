package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.client.MemberClient;
import io.lockstep.order.Role;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.config.Service;
import io.lockstep.server.wire.ClientMessage.MemberOperation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership changes in real replica servers (paper §7): operators' commands go to any replica
 * and are carried out by the leader, refused with the reason when they would break the
 * combining condition or while another is in flight; removing the leader hands leadership
 * over; the configurator replaces a silent voter with a spare, which then votes; a restarted
 * replica uses the configuration in its log, not the file's.
 */
class MembershipServerTest {
  private static final Duration ANSWER = Duration.ofSeconds(30);

  @TempDir Path dir;

  /** Replicas 1–3 vote, 4 is a spare; the configurator bound is {@code unreachableMillis}. */
  private TestCluster cluster(long unreachableMillis) throws Exception {
    TestCluster cluster = new TestCluster(dir, 4, Service.KV, c -> withSpare(c, 4)
        .withConfiguratorUnreachableMillis(unreachableMillis));
    for (int i = 1; i <= 4; i++) {
      cluster.start(i);
    }
    return cluster;
  }

  static ClusterConfig withSpare(ClusterConfig config, int spare) {
    List<ReplicaAddresses> replicas = new ArrayList<>();
    config.replicas().forEach(r -> replicas.add(r.asSpare(r.id() == spare)));
    return config.withReplicas(replicas);
  }

  private static MemberClient operator(TestCluster cluster) {
    return new MemberClient(cluster.config, ClientOptions.fromConfig(cluster.config, "operator"));
  }

  /** An operator whose command goes to replica {@code first} before any other. */
  private static MemberClient operatorAsking(TestCluster cluster, int first) {
    List<ReplicaAddresses> order = new ArrayList<>(cluster.config.replicas());
    order.sort(java.util.Comparator.comparing(r -> r.id() != first));
    ClusterConfig config = cluster.config.withReplicas(order);
    return new MemberClient(config, ClientOptions.fromConfig(config, "operator"));
  }

  @Test
  void anOperatorAddsASpareAndRemovesTheLeaderWhichHandsLeadershipOver() throws Exception {
    try (TestCluster cluster = cluster(0); LockstepClient client = cluster.client()) {
      int leader = awaitNewLeader(cluster, -1);
      int follower = leader == 1 ? 2 : 1;
      MemberClient operator = operatorAsking(cluster, follower);
      KvClient kv = new KvClient(client);
      kv.set("before", "1");
      MemberClient.Outcome list = operator.send(MemberOperation.LIST, -1, -1, ANSWER);
      assertThat(list.ok()).isTrue();
      assertThat(list.text()).contains("voters [1, 2, 3]").contains("spares [4]");

      MemberClient.Outcome added = operator.send(MemberOperation.ADD, 4, -1, ANSWER);
      assertThat(added.ok()).as(added.text()).isTrue();
      assertThat(added.answeredBy()).as("sent to a follower").isEqualTo(follower);
      assertThat(added.text()).as("which forwarded it to the leader")
          .contains("as replica " + leader + ", leader, sees it");
      assertThat(added.text()).contains("voters [1, 2, 3, 4]").contains("spares []");
      awaitVoters(cluster, 4, v -> v.equals(List.of(1, 2, 3, 4)));
      awaitClientLearns(client, kv, List.of(1, 2, 3, 4));

      MemberClient.Outcome removed = operator.send(MemberOperation.REMOVE, leader, -1, ANSWER);
      assertThat(removed.ok()).as(removed.text()).isTrue();
      int next = awaitNewLeader(cluster, leader);
      assertThat(next).isNotEqualTo(leader);
      assertThat(cluster.server(next).status().voters()).doesNotContain(leader).hasSize(3);
      kv.set("after", "2");
      List<Integer> remaining = new ArrayList<>(List.of(1, 2, 3, 4));
      remaining.remove(Integer.valueOf(leader));
      awaitClientLearns(client, kv, remaining);
      assertThat(kv.get("before")).isEqualTo("1");
      assertThat(kv.get("after")).isEqualTo("2");
      operator.close();
    }
  }

  @Test
  void anOperatorsCommandSentWhileNoLeaderIsKnownWaitsForTheElectionInsteadOfFailing()
      throws Exception {
    try (TestCluster cluster = cluster(0)) {
      int leader = awaitNewLeader(cluster, -1);
      int survivor = List.of(1, 2, 3).stream().filter(id -> id != leader).findFirst()
          .orElseThrow();
      int other = 6 - leader - survivor;
      electionUnderWay(cluster, survivor, leader, other);
      try (MemberClient operator = operatorAsking(cluster, survivor)) {
        java.util.concurrent.CompletableFuture<MemberClient.Outcome> added =
            java.util.concurrent.CompletableFuture.supplyAsync(() -> send(operator,
                MemberOperation.ADD, 4, -1));
        Thread.sleep(1_500); // several election timeouts: the survivor alone cannot win
        assertThat(added).as("still asking, not refused with 'try again'").isNotDone();
        cluster.start(other); // a majority again: an election ends
        MemberClient.Outcome outcome = added.get(ANSWER.toSeconds(),
            java.util.concurrent.TimeUnit.SECONDS);
        assertThat(outcome.ok()).as(outcome.text()).isTrue();
        assertThat(outcome.text()).contains("voters [1, 2, 3, 4]");
      }

      // The operator's ordered commands (here a client added) wait for the election alike.
      int now = awaitNewLeader(cluster, -1);
      int keep = List.of(1, 2, 3, 4).stream().filter(id -> id != now && cluster.server(id)
          != null).findFirst().orElseThrow();
      List<Integer> stopped = List.of(1, 2, 3, 4).stream().filter(id -> id != keep
          && cluster.server(id) != null).toList();
      electionUnderWay(cluster, keep, stopped.toArray(Integer[]::new));
      ClientOptions options = ClientOptions.fromConfig(cluster.config, "operator");
      try (io.lockstep.client.AdminClient admin =
               new io.lockstep.client.AdminClient(cluster.config, options)) {
        java.util.concurrent.CompletableFuture<io.lockstep.client.AdminClient.Outcome> ordered =
            java.util.concurrent.CompletableFuture.supplyAsync(() -> {
              try {
                return admin.send(new io.lockstep.configuration.SystemCommand.AddClient(
                    new io.lockstep.machine.ClientId("late"), 0), ANSWER);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
        Thread.sleep(1_500);
        assertThat(ordered).as("still asking, not 'no replica answered'").isNotDone();
        stopped.stream().limit(2).forEach(id -> restart(cluster, id));
        io.lockstep.client.AdminClient.Outcome outcome = ordered.get(ANSWER.toSeconds(),
            java.util.concurrent.TimeUnit.SECONDS);
        assertThat(outcome.ok()).as(outcome.text()).isTrue();
      }
    }
  }

  /** The configurator steps the running replicas took, from their metrics. */
  private static long configuratorSteps(TestCluster cluster) {
    java.util.regex.Pattern steps = java.util.regex.Pattern.compile(
        "(?m)^lockstep_configurator_steps_total(\\{[^}]*\\})? ([0-9.]+)$");
    long sum = 0;
    for (ReplicaServer s : cluster.servers) {
      if (s != null) {
        java.util.regex.Matcher m = steps.matcher(s.metrics().scrape());
        while (m.find()) {
          sum += (long) Double.parseDouble(m.group(2));
        }
      }
    }
    return sum;
  }

  /** Stops {@code stopped} and waits until {@code survivor} knows no leader. */
  private static void electionUnderWay(TestCluster cluster, int survivor, Integer... stopped)
      throws InterruptedException {
    for (int id : stopped) {
      cluster.stop(id);
    }
    long end = System.nanoTime() + ANSWER.toNanos();
    while (cluster.server(survivor).status().leader() >= 0 && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(cluster.server(survivor).status().leader()).as("no leader known").isEqualTo(-1);
  }

  private static void restart(TestCluster cluster, int id) {
    try {
      cluster.start(id);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static MemberClient.Outcome send(MemberClient operator, MemberOperation operation,
      int replica, int other) {
    try {
      return operator.send(operation, replica, other, ANSWER);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aReplaceAskedAgainAfterItsAdditionCarriesOnWithTheRemovalAndThenHasNothingLeft()
      throws Exception {
    try (TestCluster cluster = cluster(0); MemberClient operator = operator(cluster)) {
      int leader = awaitNewLeader(cluster, -1);
      int old = List.of(1, 2, 3).stream().filter(id -> id != leader).findFirst().orElseThrow();
      MemberClient.Outcome added = operator.send(MemberOperation.ADD, 4, -1, ANSWER);
      assertThat(added.ok()).as(added.text()).isTrue();
      // As after a leader change between a replace's two steps: the addition is in force.
      MemberClient.Outcome replaced = operator.send(MemberOperation.REPLACE, old, 4, ANSWER);
      assertThat(replaced.ok()).as(replaced.text()).isTrue();
      List<Integer> expected = new ArrayList<>(List.of(1, 2, 3, 4));
      expected.remove(Integer.valueOf(old));
      assertThat(replaced.text()).contains("voters " + expected);
      MemberClient.Outcome again = operator.send(MemberOperation.REPLACE, old, 4, ANSWER);
      assertThat(again.ok()).as(again.text()).isTrue();
      assertThat(again.text()).contains("nothing left to do").contains("voters " + expected);
    }
  }

  @Test
  void commandsThatWouldBreakTheCombiningConditionOrLackProofAreRefusedWithTheReason()
      throws Exception {
    try (TestCluster cluster = cluster(0); MemberClient operator = operator(cluster)) {
      int leader = awaitNewLeader(cluster, -1);
      MemberClient.Outcome unknown = operator.send(MemberOperation.ADD, 9, -1, ANSWER);
      assertThat(unknown.ok()).isFalse();
      assertThat(unknown.text()).contains("replica 9 has no addresses in the cluster file");
      MemberClient.Outcome voter = operator.send(MemberOperation.ADD, 2, -1, ANSWER);
      assertThat(voter.ok()).as("where the add ends is in force already").isTrue();
      assertThat(voter.text()).contains("nothing left to do");

      List<Integer> followers = List.of(1, 2, 3).stream().filter(id -> id != leader).toList();
      cluster.stop(followers.get(0));
      // Whoever leads once the silent voter counts as unreachable: under load the other
      // follower may win an election first, and a new leader counts silence from its start.
      int thinLeader = cluster.awaitLeaderMargin(0,
          Duration.ofMillis(2 * CombiningWatch.UNREACHABLE_MILLIS + 10_000)).id();
      MemberClient.Outcome thin = operator.send(MemberOperation.REMOVE, followers.get(1), -1,
          ANSWER);
      assertThat(thin.ok()).isFalse();
      assertThat(thin.text()).contains("would break the combining condition")
          .contains("nothing was changed");
      assertThat(cluster.server(thinLeader).status().voters()).containsExactly(1, 2, 3);

      java.util.Properties file = cluster.config.toProperties();
      file.setProperty("cluster.secret", "ff".repeat(32)); // same cluster, a wrong secret
      ClusterConfig forged = ClusterConfig.parse(file, "forged", dir);
      try (MemberClient stranger = new MemberClient(forged,
          ClientOptions.fromConfig(forged, "operator"))) {
        MemberClient.Outcome refused = stranger.send(MemberOperation.REMOVE, leader, -1, ANSWER);
        assertThat(refused.ok()).isFalse();
        assertThat(refused.text()).contains("not signed with this cluster's secret");
      }
    }
  }

  @Test
  void theConfiguratorReplacesASilentVoterWithTheSpareAndARestartKeepsTheLogsConfiguration()
      throws Exception {
    try (TestCluster cluster = cluster(1_500); LockstepClient client = cluster.client()) {
      int leader = awaitNewLeader(cluster, -1);
      KvClient kv = new KvClient(client);
      for (int i = 0; i < 50; i++) {
        kv.set("k" + i, "v" + i);
      }
      int failed = List.of(1, 2, 3).stream().filter(id -> id != leader).findFirst().orElseThrow();
      cluster.stop(failed);
      List<Integer> replaced = new ArrayList<>(List.of(1, 2, 3, 4));
      replaced.remove(Integer.valueOf(failed));
      awaitVoters(cluster, leader, replaced::equals);
      // Added the spare, removed the failed voter: two steps at least, by whichever replica led
      // (on a loaded machine the voters may elect another leader meanwhile, which carries on).
      assertThat(configuratorSteps(cluster)).isGreaterThanOrEqualTo(2);

      // The spare votes now: with the other original follower gone too, 4 makes the majority.
      int other = replaced.stream().filter(id -> id != leader && id != 4).findFirst()
          .orElseThrow();
      cluster.stop(other);
      kv.set("k-after", "x");
      assertThat(kv.get("k0")).isEqualTo("v0");
      assertThat(kv.get("k49")).isEqualTo("v49");

      // A restart reads the configuration from its own log; the file still says 1, 2, 3.
      cluster.start(other);
      awaitVoters(cluster, other, replaced::equals);
    }
  }

  @Test
  void aReplicaRemovedWhileDownLearnsItAtRestartStopsCampaigningAndReportsRemoved()
      throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.KV);
         MemberClient operator = operator(cluster);
         LockstepClient client = cluster.client()) {
      int leader = awaitNewLeader(cluster, -1);
      int removed = leader == 3 ? 2 : 3;
      KvClient kv = new KvClient(client);
      kv.set("before", "1");
      cluster.stop(removed);
      MemberClient.Outcome outcome = operator.send(MemberOperation.REMOVE, removed, -1, ANSWER);
      assertThat(outcome.ok()).as(outcome.text()).isTrue();
      for (int i = 0; i < 20; i++) {
        kv.set("after", Integer.toString(i));
        Thread.sleep(100); // the leader has long forgotten the removed replica
      }
      cluster.start(removed); // its log still names it a voter
      long end = System.nanoTime() + ANSWER.toNanos();
      while (cluster.server(removed).healthProblem().isEmpty() && System.nanoTime() < end) {
        Thread.sleep(50);
      }
      assertThat(cluster.server(removed).healthProblem()).get().asString()
          .contains("removed: replica " + removed + " is not a voter");
      assertThat(cluster.server(removed).status().voters()).doesNotContain(removed);
      neverStands(cluster, removed, 2_000); // several election timeouts
      assertThat(kv.get("after")).isEqualTo("19");

      // Restarted again: it remembers the removal (in its hard state), so its first status,
      // published before any election timeout could pass, already leaves it out.
      cluster.stop(removed);
      cluster.start(removed);
      long until = System.nanoTime() + ANSWER.toNanos();
      while (cluster.server(removed).status() == null && System.nanoTime() < until) {
        Thread.sleep(1);
      }
      assertThat(cluster.server(removed).status().voters()).doesNotContain(removed);
      assertThat(cluster.server(removed).healthProblem()).get().asString()
          .contains("removed: replica " + removed);
      neverStands(cluster, removed, 1_000);
    }
  }

  /**
   * Watches the removed replica for {@code millis}: it stays a follower (not even a
   * pre-candidate), never stands for election, and its term never passes the voters'. The
   * voters' own terms are not compared with earlier ones: on a loaded machine they elect a new
   * leader now and then by themselves, which says nothing about the removed replica.
   */
  private static void neverStands(TestCluster cluster, int removed, long millis)
      throws InterruptedException {
    long end = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < end) {
      io.lockstep.server.StatusView status = cluster.server(removed).status();
      long votersTerm = java.util.Arrays.stream(cluster.servers)
          .filter(s -> s != null && s.id() != removed).mapToLong(s -> s.status().term()).max()
          .orElseThrow();
      assertThat(status.role()).as("the removed replica's role").isEqualTo(Role.FOLLOWER);
      assertThat(status.term()).as("the removed replica's term").isLessThanOrEqualTo(votersTerm);
      Thread.sleep(20);
    }
    assertThat(cluster.server(removed).metrics().scrape())
        .containsPattern("lockstep_elections_total(\\{[^}]*\\})? 0(\\.0)?\\n");
  }

  /**
   * Paper §7: the executor's replica set follows the committed membership, the replies'
   * configuration version moves with it, and the network client polls and learns the set.
   */
  private static void awaitClientLearns(LockstepClient client, KvClient kv, List<Integer> set)
      throws Exception {
    long end = System.nanoTime() + ANSWER.toNanos();
    while (!client.configuration().replicas().equals(new java.util.TreeSet<>(set))
        && System.nanoTime() < end) {
      kv.set("poke", "x");
      Thread.sleep(20);
    }
    assertThat(client.configuration().replicas()).containsExactlyElementsOf(set);
  }

  private static void awaitVoters(TestCluster cluster, int id, Predicate<List<Integer>> wanted)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<Integer> voters = cluster.server(id).status().voters();
    while (!wanted.test(voters) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      voters = cluster.server(id).status().voters();
    }
    assertThat(wanted.test(voters)).as("voters on replica " + id + ": " + voters).isTrue();
  }

  private static int awaitNewLeader(TestCluster cluster, int old) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      for (ReplicaServer s : cluster.servers) {
        if (s != null && s.id() != old && s.status().role() == Role.LEADER) {
          return s.id();
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no replica other than " + old + " took over");
  }
}
