package io.lockstep.order.raft;

import io.lockstep.order.Snapshot;
import io.lockstep.order.SnapshotData;

/**
 * A snapshot held for one transfer (§5.3 InstallSnapshot, or a source's chunks): the leader or
 * source goes on sending exactly this snapshot until the transfer ends or fails, and its bytes
 * stay readable meanwhile ({@link SnapshotData#pin()}), even after newer snapshots were taken
 * and compaction deleted its file. Sending the newest snapshot instead, as this replaced, made a
 * transfer that lasts longer than the gap between two snapshots start again for ever.
 *
 * @param snapshot the snapshot, its data being the pinned bytes
 * @param pin the hold on its bytes, released when the transfer ends
 * @param checksum CRC32C of the whole state, which every chunk carries: read once per transfer
 *     (the runtime's record for a stored state; computed for a state in memory)
 */
record HeldSnapshot(Snapshot snapshot, SnapshotData.Pin pin, int checksum) {
  /** Pins {@code snapshot}'s bytes for a transfer. */
  static HeldSnapshot hold(Snapshot snapshot) {
    SnapshotData.Pin pin = snapshot.data().pin();
    return new HeldSnapshot(new Snapshot(snapshot.index(), snapshot.term(), snapshot.time(),
        snapshot.members(), pin.data()), pin, snapshot.data().crc32c());
  }

  long index() {
    return snapshot.index();
  }

  /** The transfer ended or failed: the runtime may reclaim the bytes. */
  void release() {
    pin.release();
  }
}
