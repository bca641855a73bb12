package io.lockstep.replica;

import io.lockstep.machine.ClientId;
import io.lockstep.order.Input;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.SnapshotData;
import io.lockstep.request.Request;
import java.util.Objects;

/**
 * One input for {@link Replica#stepAll}: the same inputs as {@link Replica}'s single-step
 * methods, so that a runtime can hand a replica everything that queued up since its last step
 * and drain the protocol once (one Ready: one group commit and one AppendEntries per follower
 * for many proposals, X3).
 */
public sealed interface Step {
  /**
   * A client request arrived (see {@link Replica#propose}), with its client's own signature
   * over it or null ({@link Input.Propose#clientSignature}).
   */
  record Propose(Request request, byte[] clientSignature) implements Step {
    public Propose {
      Objects.requireNonNull(request, "request");
    }

    /** An unsigned request. */
    public Propose(Request request) {
      this(request, null);
    }
  }

  /** A linearizable read (see {@link Replica#read}). */
  record Read(long readId, ClientId caller, byte[] query) implements Step {
    public Read {
      Objects.requireNonNull(caller, "caller");
      Objects.requireNonNull(query, "query");
    }
  }

  /** A message from another replica (see {@link Replica#receive}). */
  record Receive(int from, ProtocolMessage message) implements Step {
    public Receive {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * Local time advanced (see {@link Replica#tick}): {@code now} on the monotonic clock,
   * {@code wallClock} on the wall clock (see {@link io.lockstep.order.Input.Tick}).
   */
  record Tick(long now, long wallClock) implements Step {}

  /** A membership change an operator or configurator asks for ({@link Replica#changeMembership}). */
  record ChangeMembership(Input.ChangeMembership change) implements Step {
    public ChangeMembership {
      Objects.requireNonNull(change, "change");
    }
  }

  /** Log entries read back from stable storage, as the protocol asked (see {@link Input.EntriesRead}). */
  record EntriesRead(Input.EntriesRead read) implements Step {
    public EntriesRead {
      Objects.requireNonNull(read, "read");
    }
  }

  /** The runtime made the log durable through {@code index} (see {@link Replica#persisted}). */
  record Persisted(long index, long term) implements Step {}

  /**
   * The runtime wrote and forced the snapshot handed out by {@link Replica#takeCapturedSnapshot}
   * at {@code position}; {@code state} reads it back.
   */
  record SnapshotStored(long position, SnapshotData state) implements Step {
    public SnapshotStored {
      Objects.requireNonNull(state, "state");
    }
  }

  /**
   * The runtime encoded and digested the checkpoint capture handed out by
   * {@link Replica#takeCheckpointCaptures} at {@code position}, off the replica's thread; the
   * protocol now gets it as {@link io.lockstep.order.Input.SnapshotTaken}.
   */
  record CheckpointDigested(long position, SnapshotData state) implements Step {
    public CheckpointDigested {
      Objects.requireNonNull(state, "state");
    }
  }
}
