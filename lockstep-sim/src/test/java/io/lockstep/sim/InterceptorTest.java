package io.lockstep.sim;

import io.lockstep.order.MessageInterceptor;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Ready;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seam for misbehaving replicas: what an interceptor returns is what leaves the replica. */
class InterceptorTest {
  private static final SimOptions QUIET = SimOptions.defaults()
      .withFaults(FaultRates.none())
      .withFaultPhaseMillis(2_000);

  @Test
  void aSilencedReplicaSendsNothingAndTheOthersCarryOn(@TempDir Path dir) throws IOException {
    AtomicInteger intercepted = new AtomicInteger();
    MessageInterceptor silence = (from, outbound, random) -> {
      intercepted.incrementAndGet();
      return List.of();
    };
    Path trace = dir.resolve("trace.txt");
    SimResult result = Simulation.run(QUIET.withTraceFile(trace), 5, Simulation.raft(),
        Map.of(0, silence));
    assertThat(result.ok()).as(result.failure()).isTrue();
    assertThat(intercepted.get()).isPositive();
    List<String> sends = Files.readAllLines(trace).stream()
        .filter(line -> line.split(" ")[1].equals("send")).toList();
    assertThat(sends).isNotEmpty().noneMatch(line -> line.split(" ")[3].startsWith("0>"));
  }

  @Test
  void duplicatedAndReplayedMessagesFromOneReplicaDoNotBreakSafety() {
    List<Ready.Outbound> sentBefore = new ArrayList<>();
    AtomicInteger replayed = new AtomicInteger();
    MessageInterceptor replayer = (from, outbound, random) -> {
      List<Ready.Outbound> out = new ArrayList<>(List.of(outbound, outbound));
      if (!sentBefore.isEmpty() && random.nextInt(4) == 0) {
        out.add(sentBefore.get(random.nextInt(sentBefore.size())));
        replayed.incrementAndGet();
      }
      sentBefore.add(outbound);
      return out;
    };
    SimOptions faulty = SimOptions.defaults().withFaultPhaseMillis(4_000);
    SimResult result = Simulation.run(faulty, 11, Simulation.raft(), Map.of(1, replayer));
    assertThat(result.ok()).as(result.failure()).isTrue();
    assertThat(replayed.get()).isPositive();
  }

  @Test
  void anInterceptorCanRedirectMessagesElsewhere() {
    AtomicInteger rerouted = new AtomicInteger();
    MessageInterceptor misroute = (from, outbound, random) -> {
      if (outbound.to() == 2) {
        rerouted.incrementAndGet();
        return List.of(new Ready.Outbound(1, outbound.message()));
      }
      return List.of(outbound);
    };
    SimResult result = Simulation.run(QUIET, 3, Simulation.raft(), Map.of(0, misroute));
    assertThat(result.ok()).as(result.failure()).isTrue();
    assertThat(rerouted.get()).isPositive();
  }
}
