package io.lockstep.executor;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.configuration.SystemCommand;
import io.lockstep.configuration.SystemCommands;
import io.lockstep.machine.ClientId;
import io.lockstep.order.FailureModel;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Paper §1 (S1): replicas fed the same order compute the same replies and states — also when one
 * of them is rebuilt from a snapshot half-way (X2), and while the configuration removes and
 * readmits clients (paper §7).
 */
class ExecutorDeterminismPropertyTest {
  private static final String[] SCRIPTS = {
      "note:a", "note:b", "reject:no", "fail", "schedule:30:note:t", "schedule:0:note:z",
      "expect:c1:80:note:dflt", "random"};

  /** Decodes one generated number into a request (gaps, duplicates and copies included). */
  private static Request request(int op, long[] nextSequence) {
    if ((op / 32) % 8 == 6 && op % 4 != 3) {
      // Slot 4 counts the administrator's requests; the change itself comes from op.
      String victim = "c" + op % 4;
      SystemCommand change = (op / 256) % 2 == 0
          ? new SystemCommand.RemoveClient(ClientId.of(victim), 0)
          : new SystemCommand.AddClient(ClientId.of(victim), 0);
      return Request.command(SystemCommands.ADMIN, nextSequence[4]++,
          SystemCommands.encode(change));
    }
    int client = op % 4;
    String script = SCRIPTS[(op / 4) % SCRIPTS.length];
    int shape = (op / 32) % 8;
    if (client == 3) {
      long seq = 1 + (op / 256) % 3;
      return new Request(ClientId.of("sensor"), seq, Request.Kind.COMMAND,
          Long.toString(op % 5).getBytes(StandardCharsets.UTF_8), ClientId.of("r" + shape % 3));
    }
    if (shape == 7) {
      return Request.nullRequest(ClientId.of("clock"), 1);
    }
    long seq = switch (shape) {
      case 0 -> Math.max(1, nextSequence[client] - 1);
      case 1 -> nextSequence[client] + 1;
      default -> nextSequence[client]++;
    };
    return Request.command(ClientId.of("c" + client), seq,
        script.getBytes(StandardCharsets.UTF_8));
  }

  private static ExecutorConfig config(int replica) {
    return ExecutorConfig.defaults(replica).withLimits(3, 2).withConfigurationDistance(3)
        .withFailureModel(FailureModel.BYZANTINE, 1)
        .withReplicatedClients(Map.of(ClientId.of("sensor"), 3), Merge.median());
  }

  @Property(tries = 200)
  void replicasAgreeEvenWhenOneRestartsFromASnapshot(
      @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 100_000) Integer> ops,
      @ForAll @IntRange(min = 0, max = 60) int restartAt) {
    Feed one = new Feed(config(1));
    Feed two = new Feed(config(2));
    long[] sequences = new long[] {1, 1, 1, 1, 1};
    List<Reply> afterRestartOne = new ArrayList<>();
    List<Reply> afterRestartTwo = new ArrayList<>();
    long time = 0;
    for (int i = 0; i < ops.size(); i++) {
      if (i == restartAt) {
        Feed rebuilt = new Feed(config(2));
        rebuilt.executor.restore(two.executor.snapshot());
        rebuilt.position = two.position;
        two = rebuilt;
      }
      time += ops.get(i) % 25;
      Request r = request(ops.get(i), sequences);
      List<Reply> a = one.apply(r, time);
      List<Reply> b = two.apply(r, time);
      assertThat(b).hasSameSizeAs(a);
      for (int k = 0; k < a.size(); k++) {
        assertThat(a.get(k).sameOutput(b.get(k))).as("reply %s vs %s", a.get(k), b.get(k))
            .isTrue();
        assertThat(a.get(k).configVersion()).isEqualTo(b.get(k).configVersion());
      }
      if (i >= restartAt) {
        afterRestartOne.addAll(a);
        afterRestartTwo.addAll(b);
      }
    }
    assertThat(two.executor.digest()).isEqualTo(one.executor.digest());
    assertThat(two.machine.journal).isEqualTo(one.machine.journal);
    assertThat(afterRestartTwo).hasSameSizeAs(afterRestartOne);
  }
}
