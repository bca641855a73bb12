package io.lockstep.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk faults in the simulator (faults that lost committed data in real systems): bit flips in logs
 * and snapshots, EIO on read and write, full disks and lost writes, alone and mixed with every
 * other fault, and data directories wiped without a rejoin-empty file. A replica whose storage is found damaged restarts in repair mode, takes what it lost
 * from its peers and comes back; every replica must stay linearizable, agree on its state and
 * finish the liveness phase.
 */
class DiskFaultSimulationTest {
  @TempDir Path dir;

  @Test
  void disksThatFillFailAndRotStayLinearizableAndLive() throws Exception {
    SimOptions options = SimOptions.defaults().withFaults(FaultRates.disksOnly(300));
    assertThat(RaftSimulationTest.failures(options, 9_001, 9_030)).isEmpty();
  }

  @Test
  void diskFaultsAmongEveryOtherFaultWithFiveReplicas() throws Exception {
    SimOptions options = SimOptions.defaults().withReplicas(5)
        .withFaults(FaultRates.standard().withDiskWeight(6));
    assertThat(RaftSimulationTest.failures(options, 9_101, 9_115)).isEmpty();
  }

  @Test
  void everyDiskFaultKindIsInjectedAndDamagedReplicasRepairAndComeBack() throws Exception {
    SimOptions options = SimOptions.defaults().withFaults(FaultRates.disksOnly(200));
    StringBuilder traces = new StringBuilder();
    for (long seed = 9_201; seed <= 9_210; seed++) {
      Path trace = dir.resolve(seed + ".trace");
      SimResult result = Simulation.run(options.withTraceFile(trace), seed);
      assertThat(result.ok()).as("seed %d: %s", seed, result.failure()).isTrue();
      traces.append(Files.readString(trace));
    }
    String all = traces.toString();
    for (String kind : List.of("eio-write", "full", "eio-read", "bitflip-log",
        "bitflip-snapshot", "lost-write", "wipe")) {
      assertThat(all).as("fault kind " + kind).contains("diskfault ", " " + kind + "\n");
    }
    assertThat(all).as("a wiped replica learns it from its peers").contains("wipe-detected ");
    assertThat(all).contains("repair-start ").contains("after a bit flip")
        .contains("disk full").contains("EIO reading its log").doesNotContain("corrupt storage");
    assertThat(all.split(" repaired ", -1).length - 1).as("replicas that finished repairing")
        .isGreaterThanOrEqualTo(3);
  }
}
