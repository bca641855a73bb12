package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.cli.cluster.HealthProbe;
import io.lockstep.cli.cluster.ReplicaHealth;
import io.lockstep.client.IndeterminateException;
import io.lockstep.client.RejectedException;
import io.lockstep.example.bank.Bank;
import io.lockstep.example.bank.BankClient;
import io.lockstep.server.config.ClusterConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own state machine on a real cluster, as the README walks through it: {@code lockstep
 * local --machine io.lockstep.example.bank.Bank --classpath JAR} starts three replica processes
 * that can only get the bank from that jar; the bank's client deposits, withdraws and transfers;
 * a replica is killed with SIGKILL and the service goes on; the replica is restarted with
 * {@code lockstep replica --machine … --classpath …} and catches up; then the leader is killed
 * too, so the restarted replica is needed for a quorum, and every balance is still right.
 */
class BankMachineProcessTest {
  private static final String BANK = Bank.class.getName();
  @TempDir Path dir;
  private final List<Process> launched = new ArrayList<>();
  private final Map<String, Long> model = new TreeMap<>();

  @AfterEach
  void killEverything() throws IOException {
    launched.forEach(Process::destroyForcibly);
    for (int id = 1; id <= 3; id++) {
      Path pid = dir.resolve("data").resolve(Integer.toString(id)).resolve("pid");
      if (Files.exists(pid)) {
        ProcessHandle.of(Long.parseLong(Files.readString(pid).strip()))
            .ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  @Test
  void theBankRunsFromItsJarOnThreeProcessesSurvivesKillNineAndARestartedReplicaCatchesUp()
      throws Exception {
    MachineJar machine = MachineJar.of(Bank.class, "io.lockstep.example.bank.BankMain", dir);
    Path data = dir.resolve("data");
    Path configFile = data.resolve("cluster.properties");
    int base = FreePorts.basePort(3);
    Launched local = launch(machine, "local", "local", "--machine", BANK, "--classpath",
        machine.jar().toString(), "--base-port", Integer.toString(base), "--data-dir",
        data.toString());
    String printed = awaitOutput(local, "Press Ctrl-C");
    assertThat(printed).contains("State machine " + BANK + " from " + machine.jar())
        .contains("ClientOptions.fromConfig(Path.of(\"" + configFile + "\"))")
        .contains("java -jar " + machine.jar() + " --config " + configFile)
        .doesNotContain("redis-cli");
    ClusterConfig config = ClusterConfig.load(configFile);
    assertThat(config.machine()).isEqualTo(BANK);

    int victim;
    try (BankClient bank = BankClient.connect(configFile)) {
      for (String account : List.of("alice", "bob", "carol")) {
        bank.open(account);
        model.put(account, 0L);
      }
      deposit(bank, "alice", 1_000);
      assertThatThrownBy(() -> bank.withdraw("bob", 1)).isInstanceOf(RejectedException.class)
          .hasMessageContaining("insufficient funds: bob has 0, 1 requested");
      work(bank, 0, 30);

      victim = leader(config, 0);
      kill9(data, victim);
      work(bank, 30, 60);
      check(bank);

      Launched restarted = launch(machine, "restart-" + victim, "replica", "--config",
          configFile.toString(), "--id", Integer.toString(victim), "--machine", BANK,
          "--classpath", machine.jar().toString());
      awaitOutput(restarted, "replica " + victim + " running");
      work(bank, 60, 80);
      awaitCaughtUp(config, victim);

      int leader = leader(config, 0);
      if (leader != victim) {
        kill9(data, leader);
        leader(config, leader);
      }
      work(bank, 80, 100);
      check(bank);
    }
    assertThat(Files.readString(data.resolve(victim + "/replica.log")))
        .contains("machine=" + BANK);
  }

  /** Deterministic mixed operations; the model follows every confirmed outcome. */
  private void work(BankClient bank, int from, int to) {
    String[] names = {"alice", "bob", "carol"};
    for (int i = from; i < to; i++) {
      String a = names[i % 3];
      String b = names[(i + 1) % 3];
      switch (i % 4) {
        case 0 -> deposit(bank, a, 10 + i);
        case 1 -> withdraw(bank, a, 7);
        default -> transfer(bank, a, b, 5 + i % 11);
      }
    }
  }

  private void deposit(BankClient bank, String account, long amount) {
    long expected = model.get(account) + amount;
    try {
      assertThat(bank.deposit(account, amount)).isEqualTo(expected);
    } catch (IndeterminateException e) {
      expected = resolve(bank, account, expected);
    }
    model.put(account, expected);
  }

  private void withdraw(BankClient bank, String account, long amount) {
    long expected = model.get(account) - amount;
    try {
      if (expected < 0) {
        assertThatThrownBy(() -> bank.withdraw(account, amount))
            .isInstanceOf(RejectedException.class);
        return;
      }
      assertThat(bank.withdraw(account, amount)).isEqualTo(expected);
    } catch (IndeterminateException e) {
      expected = resolve(bank, account, expected);
    }
    model.put(account, expected);
  }

  private void transfer(BankClient bank, String from, String to, long amount) {
    long left = model.get(from) - amount;
    if (left < 0) {
      assertThatThrownBy(() -> bank.transfer(from, to, amount))
          .isInstanceOf(RejectedException.class).hasMessageContaining("insufficient funds");
      return;
    }
    try {
      assertThat(bank.transfer(from, to, amount)).isEqualTo(left);
    } catch (IndeterminateException e) {
      left = resolve(bank, from, left);
    }
    model.put(to, model.get(to) + (model.get(from) - left));
    model.put(from, left);
  }

  /** A write whose outcome is unknown: the balance says whether it was applied. */
  private long resolve(BankClient bank, String account, long ifApplied) {
    long now = bank.balance(account);
    assertThat(now).as("%s is either as before or as after", account)
        .isIn(model.get(account), ifApplied);
    return now;
  }

  private void check(BankClient bank) {
    for (Map.Entry<String, Long> e : model.entrySet()) {
      assertThat(bank.balance(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  /** A process this test started, and the file its output goes to. */
  private record Launched(Process process, Path output) {}

  private Launched launch(MachineJar machine, String name, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", machine.childClasspath(), "io.lockstep.cli.Main"));
    command.addAll(List.of(args));
    Path output = dir.resolve(name + ".out");
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(output.toFile()).start();
    launched.add(p);
    return new Launched(p, output);
  }

  private static String awaitOutput(Launched launched, String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      String out = Files.readString(launched.output(), StandardCharsets.UTF_8);
      if (out.contains(text)) {
        return out;
      }
      assertThat(System.nanoTime()).as("'%s' in %s", text, out).isLessThan(deadline);
      assertThat(launched.process().isAlive()).as("still running: %s", out).isTrue();
      Thread.sleep(100);
    }
  }

  private static void kill9(Path data, int id) throws Exception {
    long pid = Long.parseLong(Files.readString(data.resolve(id + "/pid")).strip());
    ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
    handle.destroyForcibly();
    handle.onExit().get(10, TimeUnit.SECONDS);
  }

  private static int leader(ClusterConfig config, int not) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try (HealthProbe probe = new HealthProbe(config)) {
      while (System.nanoTime() < deadline) {
        var leader = HealthProbe.leader(probe.all());
        if (leader.isPresent() && leader.get().id() != not) {
          return leader.get().id();
        }
        Thread.sleep(100);
      }
    }
    throw new AssertionError("no leader other than " + not);
  }

  private static void awaitCaughtUp(ClusterConfig config, int id) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<ReplicaHealth> last = List.of();
    try (HealthProbe probe = new HealthProbe(config)) {
      while (System.nanoTime() < deadline) {
        last = probe.all();
        ReplicaHealth restarted = last.get(id - 1);
        long commit = last.stream().filter(ReplicaHealth::reachable)
            .mapToLong(ReplicaHealth::commitIndex).max().orElse(Long.MAX_VALUE);
        if (restarted.reachable() && restarted.applied() >= commit && commit > 0) {
          return;
        }
        Thread.sleep(100);
      }
    }
    throw new AssertionError("replica " + id + " did not catch up: " + last);
  }
}
