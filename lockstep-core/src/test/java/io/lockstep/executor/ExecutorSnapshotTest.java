package io.lockstep.executor;

import io.lockstep.codec.WireWriter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.ClientId;
import io.lockstep.order.FailureModel;
import io.lockstep.request.Reply;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** X2: the executor snapshot holds the whole replicated state and rejects corrupt input. */
class ExecutorSnapshotTest {

  /** Builds up every kind of executor state: sessions, buffers, timers, defaults, copies. */
  private static Feed busy(int replica) {
    ExecutorConfig config = ExecutorConfig.defaults(replica)
        .withFailureModel(FailureModel.BYZANTINE, 1)
        .withReplicatedClients(Map.of(ClientId.of("sensor"), 3), Merge.median());
    Feed feed = new Feed(config);
    feed.send("a", 1, "schedule:100:note:timeout", 0);
    feed.send("a", 3, "note:buffered", 1);
    feed.send("b", 1, "expect:c:500:note:default", 2);
    feed.send("b", 2, "reject:refused", 3);
    feed.apply(SensorCopies.copy("sensor", 1, "r1", "42"), 4);
    return feed;
  }

  private static void continueWith(Feed feed) {
    feed.send("a", 2, "note:two", 150);
    feed.apply(SensorCopies.copy("sensor", 1, "r2", "42"), 160);
    feed.send("b", 2, "note:retry", 170);
    // A retry of an older request is answered from the session's reply window, which a
    // snapshot must carry: a restored replica must answer it alike.
    feed.send("b", 1, "expect:c:500:note:default", 175);
    feed.tick(600);
  }

  @Test
  void restoreGivesAnEqualDigestAndIdenticalBehaviourAfterwards() {
    Feed original = busy(0);
    Feed restored = new Feed(original.executor.config());
    restored.executor.restore(original.executor.snapshot());
    restored.position = original.position;

    assertThat(restored.executor.digest()).isEqualTo(original.executor.digest());
    assertThat(restored.executor.appliedPosition()).isEqualTo(original.executor.appliedPosition());
    assertThat(restored.executor.time()).isEqualTo(original.executor.time());
    assertThat(restored.executor.nextDue()).isEqualTo(original.executor.nextDue());

    original.replies.clear();
    continueWith(original);
    continueWith(restored);
    assertThat(restored.replies).isEqualTo(original.replies);
    assertThat(restored.machine.journal).isEqualTo(original.machine.journal);
    assertThat(restored.executor.digest()).isEqualTo(original.executor.digest());
    assertThat(original.machine.scripts()).contains("note:timeout", "note:default", "42");
  }

  @Test
  void snapshotsOfDifferentReplicasAtOnePositionAreIdentical() {
    Feed one = busy(1);
    Feed two = busy(2);
    assertThat(one.executor.snapshot()).isEqualTo(two.executor.snapshot());
    Feed fromOther = new Feed(two.executor.config());
    fromOther.executor.restore(one.executor.snapshot());
    fromOther.position = one.position;
    Reply cached = fromOther.send("b", 2, "reject:refused", 10).get(0);
    assertThat(cached.replica()).isEqualTo(2);
    assertThat(cached.reason()).isEqualTo("refused");
  }

  @Test
  void everySingleBitFlipIsRejected() {
    byte[] snapshot = busy(0).executor.snapshot();
    for (int i = 0; i < snapshot.length; i++) {
      byte[] corrupt = snapshot.clone();
      corrupt[i] ^= (byte) (1 << (i % 8));
      Feed target = new Feed();
      assertThatThrownBy(() -> target.executor.restore(corrupt))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("corrupt executor snapshot");
      assertThat(target.executor.appliedPosition()).isZero();
    }
  }

  @Test
  void truncatedOrEmptySnapshotsAreRejected() {
    byte[] snapshot = busy(0).executor.snapshot();
    Feed target = new Feed();
    for (int length : new int[] {0, 3, 11, snapshot.length / 2, snapshot.length - 1}) {
      byte[] cut = Arrays.copyOf(snapshot, length);
      assertThatThrownBy(() -> target.executor.restore(cut))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("corrupt executor snapshot");
    }
    assertThatThrownBy(() -> target.executor.restore((byte[]) null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aVersionTwoSnapshotWithAValidChecksumButBadContentIsRejected() {
    WireWriter out = new WireWriter();
    out.writeInt(SnapshotFormat.MAGIC);
    out.writeInt(2);
    out.writeLong(5);
    out.writeLong(0);
    out.writeBytes(new byte[0]);
    out.writeInt(1_000_000);
    byte[] body = out.toByteArray();
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(body);
    out.writeInt((int) crc.getValue());
    byte[] forged = out.toByteArray();

    assertThatThrownBy(() -> new Feed().executor.restore(forged))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("session count 1000000 does not fit");
  }

  @Test
  void aVersionOneSnapshotWithOneReplyPerSessionIsStillRestored() {
    Feed source = new Feed();
    source.send("a", 1, "note:1", 10);
    WireWriter out = new WireWriter();
    out.writeInt(SnapshotFormat.MAGIC);
    out.writeInt(1);
    out.writeLong(1);
    out.writeLong(10);
    out.writeBytes(source.machine.snapshot());
    out.writeInt(1);
    out.writeClient(ClientId.of("a")).writeLong(1).writeLong(1);
    out.writeByte(Reply.Status.OK.ordinal()).writeBytes(new byte[] {42}).writeString("");
    out.writeLong(1).writeInt(0);
    out.writeLong(0).writeInt(0).writeInt(0);
    byte[] body = out.toByteArray();
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(body);
    out.writeInt((int) crc.getValue());

    Feed restored = new Feed();
    restored.executor.restore(out.toByteArray());
    restored.position = 1;
    Reply retry = restored.send("a", 1, "note:1", 11).get(0);
    assertThat(retry.status()).isEqualTo(Reply.Status.OK);
    assertThat(retry.value()).containsExactly(42);
    assertThat(restored.send("a", 2, "note:2", 12).get(0).status()).isEqualTo(Reply.Status.OK);
  }

  /**
   * Version 3 (before the configuration, paper §7) had neither the configuration section nor a
   * configuration version per cached reply: it restores with the initial configuration.
   */
  @Test
  void aVersionThreeSnapshotIsRestoredWithTheInitialConfiguration() {
    Feed source = new Feed();
    source.send("a", 1, "note:1", 10);
    byte[] machine = source.machine.snapshot();
    WireWriter part = new WireWriter();
    part.writeInt(1);
    part.writeClient(ClientId.of("a")).writeLong(1).writeLong(1);
    part.writeInt(1).writeLong(1).writeByte(Reply.Status.OK.ordinal())
        .writeBytes(new byte[] {42}).writeString("").writeLong(1);
    part.writeInt(0);
    part.writeLong(0).writeInt(0).writeInt(0);
    byte[] executorPart = part.toByteArray();
    WireWriter out = new WireWriter();
    out.writeInt(SnapshotFormat.MAGIC).writeInt(3).writeLong(1).writeLong(10);
    out.writeBytes(executorPart);
    out.writeBytes(machine).writeInt(0);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(out.toByteArray());
    out.writeInt((int) crc.getValue());

    Feed restored = new Feed();
    restored.executor.restore(out.toByteArray());
    restored.position = 1;
    assertThat(restored.executor.configuration())
        .isEqualTo(io.lockstep.configuration.ClusterConfiguration.INITIAL);
    Reply retry = restored.send("a", 1, "note:1", 11).get(0);
    assertThat(retry.value()).containsExactly(42);
    assertThat(retry.configVersion()).isZero();
    assertThat(restored.send("a", 2, "note:2", 12).get(0).status()).isEqualTo(Reply.Status.OK);
  }

  @Test
  void unknownVersionIsRejectedWithTheVersionNamed() {
    byte[] snapshot = busy(0).executor.snapshot();
    snapshot[7] = 9;
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(snapshot, 0, snapshot.length - 4);
    int value = (int) crc.getValue();
    for (int i = 0; i < 4; i++) {
      snapshot[snapshot.length - 4 + i] = (byte) (value >>> (24 - 8 * i));
    }
    assertThatThrownBy(() -> new Feed().executor.restore(snapshot))
        .hasMessageContaining("unsupported version 9");
  }

  @Test
  void digestChangesWithTheState() {
    Feed feed = busy(0);
    String before = feed.executor.digest();
    feed.send("a", 2, "note:two", 10);
    assertThat(feed.executor.digest()).isNotEqualTo(before).hasSize(64);
  }
}
