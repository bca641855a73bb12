package io.lockstep.order;

import io.lockstep.request.Request;
import java.util.List;
import java.util.Objects;

/** Everything that can happen to a coordination protocol: one of these per step. */
public sealed interface Input {
  /** A message from another replica. Untrusted: the protocol validates it and may drop it. */
  record Receive(int from, ProtocolMessage message) implements Input {
    public Receive {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * A client request arrived at this replica and asks to be ordered.
   *
   * @param request the request
   * @param clientSignature the client's own signature over it ({@link
   *     io.lockstep.request.RequestSignature}), or null: orders that take a request on one
   *     replica's word only if its client signed it carry this along; the others ignore it
   */
  record Propose(Request request, byte[] clientSignature) implements Input {
    public Propose {
      Objects.requireNonNull(request, "request");
    }

    /** An unsigned request. */
    public Propose(Request request) {
      this(request, null);
    }
  }

  /**
   * A client asks for a linearizable read. The protocol answers with a {@link Ready.ReadGrant}
   * naming the position the read must wait for, or a {@link Ready.Redirect}.
   */
  record Read(long readId) implements Input {}

  /**
   * Local time advanced. The two readings come from two different clocks, because they answer
   * two different questions.
   *
   * @param now this replica's monotonic clock in milliseconds, from an arbitrary origin (the
   *     server feeds {@code System.nanoTime()} in milliseconds): it drives the protocol's timers
   *     (elections, heartbeats, leases, check-quorum). It never jumps and never goes backwards;
   *     a value below an earlier one counts as no time passing
   * @param wallClock this replica's wall clock in milliseconds since the epoch: a protocol's
   *     input for proposing agreed time ({@link Ordered#time()}). It may be wrong by any amount
   *     and jump either way; a protocol bounds what one replica's reading can do to agreed time
   */
  record Tick(long now, long wallClock) implements Input {}

  /**
   * The executor's state at {@code position} was captured and encoded into {@code state}; the
   * protocol may now persist the snapshot and compact its log up to there (X2). The real runtime
   * steps this only once the state is written and forced to its own file (off the loop and log
   * threads), so the protocol's {@link StorageWrite.SaveSnapshot} then only has to record it; the
   * simulator steps it at once with the bytes in memory.
   */
  record SnapshotTaken(long position, SnapshotData state) implements Input {
    public SnapshotTaken {
      Objects.requireNonNull(state, "state");
    }

    /** A snapshot taken into memory (the array is copied). */
    public SnapshotTaken(long position, byte[] state) {
      this(position, SnapshotData.of(Objects.requireNonNull(state, "state")));
    }
  }

  /**
   * The executor's state after the Ready that raised {@link Coordination#wantsSnapshot()} was
   * captured at {@code position} (cheaply, on the replica's thread) and is being encoded and
   * digested elsewhere; its {@link SnapshotTaken} at the same position follows later. Stepped
   * only to a protocol that {@link Coordination#takesCheckpointStateLater() takes it later}:
   * the protocol may go on executing meanwhile, since the capture no longer changes.
   */
  record StateCaptured(long position) implements Input {}

  /** An operator asks the current leader to hand leadership to {@code target}. */
  record TransferLeadership(int target) implements Input {}

  /**
   * An operator or a configurator asks the current leader to change the set of replicas by one
   * (paper §7): add {@code replica} (caught up first, then made a voter) or remove it (the leader
   * itself included). A replica that cannot start the change now (not the leader, another
   * change under way) refuses it and says why in {@link Coordination#configuration()}; the
   * caller asks again.
   */
  record ChangeMembership(Change change, int replica) implements Input {
    /** Which way the set changes. */
    public enum Change {
      ADD,
      REMOVE
    }

    public ChangeMembership {
      Objects.requireNonNull(change, "change");
      if (replica < 0) {
        throw new IllegalArgumentException("replica ids are non-negative, got " + replica);
      }
    }
  }

  /**
   * The answer to a {@link Ready.EntriesWanted} with the same {@code readId}: the entries read
   * back from stable storage (consecutive from the request's first index, possibly fewer than
   * asked, empty when the storage no longer holds them), or, with {@code failure} set, why the
   * read failed (a disk error, damage found by a checksum). Stale answers are dropped by the
   * protocol; entries that do not match its log are never used.
   */
  record EntriesRead(long readId, List<LogEntry> entries, String failure) implements Input {
    public EntriesRead {
      entries = List.copyOf(entries);
      if (failure != null && !entries.isEmpty()) {
        throw new IllegalArgumentException("a failed read carries no entries");
      }
    }

    /** A read that failed for {@code failure}. */
    public static EntriesRead failed(long readId, String failure) {
      return new EntriesRead(readId, List.of(), Objects.requireNonNull(failure, "failure"));
    }
  }

  /**
   * The runtime made this replica's log durable through {@code index}, whose entry has
   * {@code term}: every write handed out before the one holding that entry is durable too. A
   * protocol that lets the leader send AppendEntries before its own writes are durable (Raft
   * dissertation §10.2.1) counts the leader toward a commit only up to such an index.
   */
  record Persisted(long index, long term) implements Input {
    public Persisted {
      if (index < 0 || term < 0) {
        throw new IllegalArgumentException("index and term must not be negative, were " + index
            + " and " + term);
      }
    }
  }
}
