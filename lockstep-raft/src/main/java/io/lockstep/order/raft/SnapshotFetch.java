package io.lockstep.order.raft;

import io.lockstep.order.Snapshot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * State transfer (S22) from any up-to-date replica, not only the leader. The leader names a
 * source in a {@link RaftMessage.SnapshotSource}; the follower then asks that source for chunks
 * ({@link RaftMessage.FetchSnapshot}) and takes each {@link RaftMessage.SnapshotChunk} into the
 * same partly received snapshot a leader's chunks go to, so nothing is lost when it switches.
 *
 * <p>What the follower checks, each a reason to give up on the source: the chunk comes from the
 * named source; it is of the snapshot the leader named (index and term, as the source reported
 * it: at or past the leader's own, so the follower goes on from the leader's log); its bytes
 * match their CRC32C (a damaged chunk is never stored); it is the next chunk; the whole
 * snapshot matches the checksum the leader named (a source whose file rotted after it reported
 * is never installed); and the source keeps answering within an election timeout (a source
 * that crashed or was cut off). Giving up is the fallback:
 * the follower tells the leader how much of the leader's own snapshot it holds, and the leader
 * sends the rest itself, as it always did. Terms of the snapshot are not checked against the
 * leader here: a source's snapshot holds only committed entries, identical on every replica
 * (State Machine Safety), and the leader's next AppendEntries checks the entry at its index.
 *
 * <p>The source side serves any replica that asks, one chunk per request (the follower's request
 * is the flow control), from its latest stored snapshot, which it then holds for that follower
 * ({@link HeldSnapshot}) until the follower stops asking, so newer snapshots taken here do not
 * cut the transfer. Deterministic: time comes from
 * {@link Raft#now()}.
 */
final class SnapshotFetch {
  private final Raft raft;
  /** The source being fetched from, or {@link Raft#NONE}. */
  private int source = Raft.NONE;
  /** Who named the source, and gets the answer. */
  private int leader = Raft.NONE;
  /** The snapshot the leader named: the one this follower accepts from the source. */
  private RaftMessage.SnapshotId named = RaftMessage.SnapshotId.NONE;
  /** Its index. */
  private long minIndex;
  /** This replica's latest snapshot, as reported to the leader, and the snapshot it names. */
  private RaftMessage.SnapshotId heldId = RaftMessage.SnapshotId.NONE;
  private Snapshot heldIdOf;
  /** When the source last answered (or was asked first): silence past a timeout falls back. */
  private long lastHeard;
  /** The snapshot index asked for now: the least acceptable, then the one being received. */
  private long fetching;
  /** Whether the request was already sent again after half a timeout of silence. */
  private boolean resent;
  /** Snapshots installed from a source, and fallbacks to the leader (for tests and metrics). */
  private long installedFromSources;
  private long fallbacks;
  /**
   * The source side: the snapshot each follower is fetching, held until it stops asking for an
   * election timeout, so newer snapshots taken here meanwhile do not cut its transfer.
   */
  private final Map<Integer, Served> served = new HashMap<>();

  /** A snapshot this replica serves to one follower, and when that follower last asked. */
  private static final class Served {
    final HeldSnapshot held;
    long lastAsked;

    Served(HeldSnapshot held, long lastAsked) {
      this.held = held;
      this.lastAsked = lastAsked;
    }
  }

  SnapshotFetch(Raft raft) {
    this.raft = raft;
  }

  /** The leader (already accepted for this term) names a source. */
  void onSource(int from, RaftMessage.SnapshotSource m) {
    if (m.index() <= raft.commitIndex()) {
      // Already past it (an earlier transfer landed): say so, as to a leader's chunk.
      raft.send(from, new RaftMessage.InstallSnapshotResponse(raft.term(), raft.commitIndex(),
          m.index(), 0));
      return;
    }
    if (m.source() == raft.self()) {
      raft.drop("named source of a snapshot it lacks: itself");
      fallBack(from, m.index());
      return;
    }
    source = m.source();
    leader = from;
    named = m.snapshot();
    minIndex = m.index();
    ask(minIndex);
  }

  /** The snapshot index this replica is fetching from a named source; 0 if none. */
  long fetchingIndex() {
    return source == Raft.NONE ? 0 : fetching;
  }

  /** This replica's latest snapshot as its heartbeat answers report it ({@code NONE} if none). */
  RaftMessage.SnapshotId heldId() {
    Snapshot snapshot = raft.snapshot();
    if (snapshot == null) {
      return RaftMessage.SnapshotId.NONE;
    }
    if (snapshot != heldIdOf) {
      heldId = idOf(snapshot);
      heldIdOf = snapshot;
    }
    return heldId;
  }

  /**
   * Names {@code snapshot}: its checksum is read from the runtime's record for a stored state,
   * and computed for a state in memory (small: the simulator's).
   */
  RaftMessage.SnapshotId idOf(Snapshot snapshot) {
    if (snapshot == heldIdOf) {
      return heldId;
    }
    return new RaftMessage.SnapshotId(snapshot.index(), snapshot.term(),
        snapshot.data().crc32c());
  }

  /** Asks the source for the next chunk of the snapshot at (or, first, past) {@code index}. */
  private void ask(long index) {
    fetching = index;
    lastHeard = raft.now();
    resent = false;
    raft.send(source, new RaftMessage.FetchSnapshot(raft.term(), index,
        raft.follower().received(index)));
  }

  /** A chunk from a source: checked, then taken like a leader's. */
  void onChunk(int from, RaftMessage.SnapshotChunk c) {
    if (from != source) {
      raft.drop("snapshot chunk from " + from + ", not the source being fetched from ("
          + source + ")");
      return;
    }
    RaftMessage.InstallSnapshot chunk = c.chunk();
    boolean unchecked = raft.bug() == Raft.Bug.SNAPSHOT_SOURCE_UNCHECKED;
    if ((chunk.index() != named.index() || chunk.snapshotTerm() != named.term()
        || chunk.checksum() != named.checksum()) && !unchecked) {
      giveUp("source " + from + " serves its snapshot at " + chunk.index() + " (term "
          + chunk.snapshotTerm() + ", checksum " + chunk.checksum() + "), not the one the leader"
          + " named, at " + named.index() + " (term " + named.term() + ", checksum "
          + named.checksum() + ")");
      return;
    }
    if (checksum(chunk.data()) != c.checksum() && !unchecked) {
      giveUp("corrupt chunk from source " + from + " at offset " + chunk.offset()
          + " of the snapshot at " + chunk.index() + ": checksum mismatch");
      return;
    }
    if (chunk.index() <= raft.commitIndex()) {
      giveUp("snapshot at " + chunk.index() + " from source " + from
          + " is not past the commit index " + raft.commitIndex());
      return;
    }
    if (chunk.offset() < raft.follower().received(chunk.index())) {
      // The answer to a request sent twice (see tick): already held.
      raft.drop("chunk at offset " + chunk.offset() + " from source " + from + " already held");
      return;
    }
    switch (raft.follower().take(chunk, !unchecked)) {
      case REFUSED -> giveUp("chunk at offset " + chunk.offset() + " from source " + from
          + " is not the next one");
      case TAKEN -> ask(chunk.index());
      case INSTALLED -> installed(from, chunk);
      case CORRUPT -> giveUp("the snapshot at " + chunk.index() + " from source " + from
          + " does not match the whole checksum the leader named: dropped, fetched again");
    }
  }

  private void installed(int from, RaftMessage.InstallSnapshot chunk) {
    raft.send(leader, new RaftMessage.InstallSnapshotResponse(raft.term(), chunk.index(),
        chunk.index(), chunk.size()));
    raft.events().snapshotServed(from, raft.term(), chunk.index());
    installedFromSources++;
    source = Raft.NONE;
  }

  /**
   * A source silent for half an election timeout is asked once more (a request or its answer
   * may be lost, e.g. while a connection is set up); one silent for a whole timeout is given up
   * on.
   */
  void tick(long now) {
    releaseIdle(now);
    if (source == Raft.NONE) {
      return;
    }
    long silent = now - lastHeard;
    if (silent >= raft.config().electionTimeoutMillis()) {
      giveUp("source " + source + " silent for " + silent + " ms");
    } else if (!resent && silent >= raft.config().electionTimeoutMillis() / 2) {
      resent = true;
      raft.send(source, new RaftMessage.FetchSnapshot(raft.term(), fetching,
          raft.follower().received(fetching)));
    }
  }

  /** A new term or leader: whoever named the source no longer leads; the next leader decides. */
  void stop() {
    source = Raft.NONE;
  }

  /** Whether a fetch from a source is under way (for tests and toString). */
  int source() {
    return source;
  }

  long installedFromSources() {
    return installedFromSources;
  }

  long fallbacks() {
    return fallbacks;
  }

  private void giveUp(String reason) {
    fallbacks++;
    raft.drop(reason);
    source = Raft.NONE;
    fallBack(leader, minIndex);
  }

  /** Tells the leader where its own chunks should go on from (the leader path). */
  private void fallBack(int to, long index) {
    raft.send(to, new RaftMessage.InstallSnapshotResponse(raft.term(), raft.commitIndex(), index,
        raft.follower().received(index)));
  }

  /** The source side: stops holding snapshots for followers that stopped asking. */
  private void releaseIdle(long now) {
    served.values().removeIf(s -> {
      boolean idle = now - s.lastAsked >= raft.config().electionTimeoutMillis();
      if (idle) {
        s.held.release();
      }
      return idle;
    });
  }

  /**
   * The source side: the snapshot to serve {@code from}, asking for {@code index}: the one it is
   * already fetching from here if that is the one asked for, else the latest, held for it from
   * now on. Null if the latest is older than asked (or there is none).
   */
  private HeldSnapshot toServe(int from, long index) {
    Served current = served.get(from);
    if (current != null && current.held.index() == index) {
      current.lastAsked = raft.now();
      return current.held;
    }
    Snapshot latest = raft.snapshot();
    if (latest == null || latest.index() < index) {
      return null;
    }
    if (current != null) {
      current.held.release();
    }
    Served fresh = new Served(HeldSnapshot.hold(latest), raft.now());
    served.put(from, fresh);
    return fresh.held;
  }

  /** Followers this replica holds a snapshot for (for tests). */
  int serving() {
    return served.size();
  }

  /**
   * The source side: the requested chunk of the snapshot being served to {@code from}, or of
   * the latest stored snapshot if it is recent enough.
   */
  void onFetch(int from, RaftMessage.FetchSnapshot m) {
    HeldSnapshot held = toServe(from, m.index());
    if (held == null) {
      Snapshot snapshot = raft.snapshot();
      // An empty chunk names what this replica holds (index 0: nothing), so the follower gives
      // up on it at once rather than after a timeout.
      RaftMessage.InstallSnapshot none = snapshot == null
          ? new RaftMessage.InstallSnapshot(raft.term(), 0, 0, 0, List.of(raft.self()), 0, 0, 0,
              new byte[0])
          : new RaftMessage.InstallSnapshot(raft.term(), snapshot.index(), snapshot.term(),
              snapshot.time(), snapshot.members(), snapshot.data().size(), heldId().checksum(),
              0, new byte[0]);
      raft.send(from, new RaftMessage.SnapshotChunk(raft.term(), none, checksum(new byte[0])));
      return;
    }
    long size = held.snapshot().data().size();
    if (m.offset() > size) {
      raft.drop("asked by " + from + " for offset " + m.offset() + " of a snapshot of " + size
          + " bytes");
      return;
    }
    RaftMessage.InstallSnapshot chunk = SnapshotChunks.chunk(raft.term(), held, m.offset());
    raft.send(from, new RaftMessage.SnapshotChunk(raft.term(), chunk, checksum(chunk.data())));
  }

  static int checksum(byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(data);
    return (int) crc.getValue();
  }
}
