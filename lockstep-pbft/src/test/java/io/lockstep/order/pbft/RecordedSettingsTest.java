package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.FailureModel;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The settings a data directory depends on ({@link PositionSettings}: max-batch, checkpoint
 * interval, window) are recorded in the hard state and never change for it: a file that names
 * others is refused, one that leaves them unset gets the recorded ones, and a directory from a
 * build that recorded nothing runs with that build's default max-batch of 16 unless the file
 * names a value, as that build did.
 */
class RecordedSettingsTest {
  /** K = 4 and L = 8 as the cluster file says them; max-batch is what each test varies. */
  private static final Map<String, String> SMALL_LOG = Map.of("checkpoint-interval", "4",
      "window", "8");

  private static Map<String, String> with(String key, String value) {
    Map<String, String> out = new java.util.HashMap<>(SMALL_LOG);
    out.put(key, value);
    return out;
  }

  private static DurableState hardState(Net net, int i) {
    return DurableState.decode(net.disks[i].recovered().hardState().state());
  }

  /**
   * Rewrites replica {@code i}'s hard state as a build before version 4 left it: version 3
   * had every field version 4 has but the three settings at the end.
   */
  private static void makeVersionThree(Net net, int i) {
    DurableState s = hardState(net, i);
    // With an incarnation, as the runtime's replicas wrote version 3: the restart then has no
    // reason to write its hard state again but the missing settings.
    byte[] four = new DurableState(s.view(), s.changingView(), s.proof(), s.repairing(),
        s.noVoteThroughSeq(), s.noVoteThroughView(), 0x5eedL + i, true, s.known(), s.settings())
        .encode();
    byte[] three = Arrays.copyOf(four, four.length - 12);
    three[0] = 3;
    net.disks[i].apply(List.of(new StorageWrite.HardState(three)));
    assertThat(hardState(net, i).settings()).as("read as recorded by nobody").isNull();
  }

  /** Every replica executed {@code seq} and holds the same state (so the same positions). */
  private static void assertAgreeAt(Net net, long seq) {
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].lastExecuted()).as("replica " + i).isEqualTo(seq);
      assertThat(net.state[i]).as("replica " + i).isEqualTo(net.state[0]);
    }
  }

  @Test
  void versionFourRoundTripsTheSettingsAndVersionThreeReadsAsUnrecorded() {
    DurableState state = new DurableState(5, true, List.of(), true, 40, 7, 0x5eedL, false,
        Map.of(1, 11L), new PositionSettings(64, 128, 256));
    assertThat(DurableState.decode(state.encode())).isEqualTo(state);
    Net net = new Net(c -> c.withLog(16, 4, 8));
    net.sendAll(5);
    byte[] recorded = net.disks[1].recovered().hardState().state();
    assertThat(DurableState.decode(recorded).settings())
        .isEqualTo(new PositionSettings(16, 4, 8));
    makeVersionThree(net, 1);
    DurableState three = hardState(net, 1);
    assertThat(three.incarnation()).isEqualTo(0x5eedL + 1);
    assertThat(three.stableSeq()).isEqualTo(DurableState.decode(recorded).stableSeq())
        .isEqualTo(4);
  }

  /**
   * Checkpoint 16's state is saved at position 16 · 16 = 256, which 64 divides too (seq 4, on
   * the interval): the old check of the saved checkpoint would have let a max-batch of 64 read
   * this directory, and the replica would have executed at other positions than its peers.
   */
  @Test
  void aDirectoryFromBeforeTheRecordWithMaxBatchUnsetRunsWithSixteenAndRecordsIt() {
    Net net = new Net(c -> c.withLog(16, 4, 8));
    net.sendAll(17);
    assertThat(net.nodes[2].stableSeq()).isEqualTo(16);
    makeVersionThree(net, 2);
    net.restartThrough(2, SMALL_LOG);
    assertThat(net.configs[2].maxBatch()).as("the earlier builds' default").isEqualTo(16);
    net.runFor(200, 50);
    assertThat(hardState(net, 2).settings()).as("recorded from the first Ready on")
        .isEqualTo(new PositionSettings(16, 4, 8));
    net.sendAll(3);
    assertAgreeAt(net, 20);
    net.restartThrough(2, SMALL_LOG);
    assertThat(net.configs[2].maxBatch()).as("the record, not today's default").isEqualTo(16);
    net.runFor(200, 50);
    net.sendAll(2);
    assertAgreeAt(net, 22);
  }

  @Test
  void aDirectoryFromBeforeTheRecordRunsWithTheValueItsFileNames() {
    Net net = new Net(c -> c.withLog(8, 4, 8));
    net.sendAll(17);
    makeVersionThree(net, 2);
    net.restartThrough(2, with("max-batch", "8"));
    assertThat(net.configs[2].maxBatch()).isEqualTo(8);
    net.runFor(200, 50);
    net.sendAll(3);
    assertAgreeAt(net, 20);
    assertThat(hardState(net, 2).settings()).isEqualTo(new PositionSettings(8, 4, 8));
  }

  @Test
  void aFileThatContradictsTheRecordIsRefusedSayingWhatToWrite() {
    Net net = new Net(c -> c.withLog(16, 4, 8));
    net.sendAll(5);
    Recovered disk = net.disks[2].recovered();
    ProtocolSetup setup = new ProtocolSetup(2, List.of(0, 1, 2, 3), FailureModel.BYZANTINE, 1,
        with("max-batch", "64"), net.configs[2].signer());
    assertThatThrownBy(() -> new PbftProtocol().withRecordedSettings(setup, disk))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("replica 2's data directory"
            + " created with pbft.max-batch=16; this configuration says 64; positions depend on"
            + " it: set pbft.max-batch=16 in the cluster file");
    assertThatThrownBy(() -> net.restartThrough(2, with("window", "16")))
        .hasMessageContaining("created with pbft.window=8; this configuration says 16")
        .hasMessageContaining("set pbft.window=8 in the cluster file");
    assertThatThrownBy(() -> Pbft.recover(net.configs[2].withLog(64, 4, 8), disk))
        .as("the core refuses too, whoever builds it").isInstanceOf(
            IllegalArgumentException.class)
        .hasMessageContaining("created with pbft.max-batch=16; this configuration says 64");
  }

  @Test
  void aFileThatLeavesTheSettingUnsetGetsTheRecordedValue() {
    Net net = new Net(c -> c.withLog(16, 4, 8));
    net.sendAll(5);
    ProtocolSetup setup = new ProtocolSetup(2, List.of(0, 1, 2, 3), FailureModel.BYZANTINE, 1,
        Map.of(), net.configs[2].signer());
    assertThat(new PbftProtocol().withRecordedSettings(setup, net.disks[2].recovered())
        .settings()).containsEntry("max-batch", "16").containsEntry("checkpoint-interval", "4")
        .containsEntry("window", "8");
    assertThat(new PbftProtocol().withRecordedSettings(setup, Recovered.EMPTY).settings())
        .as("a new data directory takes the file and the defaults").isEmpty();
  }

  /**
   * The replica-set check the runtime builds from the resolved settings states changes one
   * window of the positions the core uses ahead (L · 16 here), not L · today's default.
   */
  @Test
  void theReplicaSetDistanceFollowsTheSettingsTheDirectoryWasMadeWith() {
    Net net = new Net(c -> c.withLog(16, 4, 8));
    net.sendAll(5);
    makeVersionThree(net, 2);
    ProtocolSetup file = new ProtocolSetup(2, List.of(0, 1, 2, 3), FailureModel.BYZANTINE, 1,
        with(PbftProtocol.REPLICA_SET, "ordered"), net.configs[2].signer());
    PbftProtocol pbft = new PbftProtocol();
    ProtocolSetup resolved = pbft.withRecordedSettings(file, net.disks[2].recovered());
    assertThat(pbft.replicaSetCheck(resolved, java.util.Set.of(0, 1, 2, 3)).orElseThrow()
        .minimumDistance()).isEqualTo(8 * 16);
    assertThat(pbft.replicaSetCheck(file, java.util.Set.of(0, 1, 2, 3)).orElseThrow()
        .minimumDistance()).as("the file's settings alone").isEqualTo(8 * 64);
  }

  @Test
  void launchersPinTheThreeSettingsWithTodaysDefaults() {
    assertThat(new PbftProtocol().pinnedSettings()).isEqualTo(Map.of("max-batch", "64",
        "checkpoint-interval", "512", "window", "1024"));
  }
}
