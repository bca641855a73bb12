package io.lockstep.journal;

import java.util.Objects;

/**
 * One thing that happened, without when or where: the {@link Journal} that records it adds the
 * replica and the time.
 *
 * <p>The identifiers let a reader follow one request along the paper's path (client → agreement
 * → order → executor → reply → voter): {@code client} and {@code sequence} name the request,
 * {@code position} its identifier once ordered. Fields an event kind does not use are empty
 * ({@code ""}) or {@link #NONE}.
 *
 * @param kind what happened
 * @param peer the other replica (sender, receiver, candidate voted for, leader), or {@link #NONE}
 * @param client the client's id, or {@code ""}
 * @param sequence the client's request sequence number, or {@link #NONE}
 * @param position the request's position (uid) or a commit index, or {@link #NONE}
 * @param term the protocol's term or view, or {@link #NONE}
 * @param message an id shared by a message's send and receive events where the runtime knows one
 *     (the simulator), else {@link #NONE} (the timeline pairs them in order per link and type)
 * @param detail a short text: the message type, a drop reason, an outcome; never null
 */
public record Event(Kind kind, int peer, String client, long sequence, long position, long term,
    long message, String detail) {

  /** The value of an unused number field. */
  public static final int NONE = -1;

  /** What happened. */
  public enum Kind {
    /** A message left for {@code peer}; detail = its type. */
    SEND,
    /** A message from {@code peer} arrived; detail = its type. */
    RECEIVE,
    /**
     * A message was dropped; detail = the reason. With a {@code peer}, in transit (the network,
     * a full queue: it never reached the receiver's protocol), and {@code peer} is the other end;
     * without, the receiver's protocol rejected it after its receive.
     */
    DROP,
    /**
     * A message to {@code peer} that never left this replica (a full send queue, the peer
     * down); detail = its type and the reason. Recorded after its {@link #SEND}.
     */
    UNSENT,
    /** A client request reached this replica's protocol. */
    PROPOSE,
    /** A client was told to go elsewhere (not the leader, or busy); detail = why. */
    REDIRECT,
    /** Positions up to {@code position} became stable (committed). */
    STABLE,
    /** The executor applied the request at {@code position}; detail = its outcome. */
    APPLY,
    /** A reply left for the client; detail = its outcome. */
    REPLY,
    /** This replica granted its vote to {@code peer} in {@code term}. */
    VOTE,
    /** This replica started an election in {@code term}. */
    ELECTION,
    /** This replica learnt of a new leader ({@code peer}) in {@code term}, or became it. */
    LEADER,
    /** This replica moved to {@code term} (or view) without a known leader yet. */
    TERM,
    /** A snapshot of the state at {@code position} was taken. */
    SNAPSHOT,
    /** A snapshot at {@code position} received from the leader was installed. */
    INSTALL,
    /** The replica crashed or stopped. */
    CRASH,
    /** The replica (re)started; detail = from what. */
    RESTART,
    /** The network changed (partition, heal, loss burst); detail = how. */
    PARTITION,
    /** The replica's process was paused; detail = until when. */
    PAUSE,
    /** The replica's clock jumped; detail = by how much. */
    CLOCK_JUMP,
    /** The replica's disk was damaged or failed; detail = how. */
    DISK,
    /** A client invoked an operation; detail = the operation. */
    INVOKE,
    /** A client's operation ended; detail = ok, fail or info and what it returned. */
    OUTCOME
  }

  public Event {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(detail, "detail");
  }

  /** An event with only a kind and a detail. */
  public static Event of(Kind kind, String detail) {
    return new Event(kind, NONE, "", NONE, NONE, NONE, NONE, detail);
  }

  /** A message event ({@link Kind#SEND}, {@link Kind#RECEIVE}, {@link Kind#DROP}). */
  public static Event message(Kind kind, int peer, long message, String detail) {
    return new Event(kind, peer, "", NONE, NONE, NONE, message, detail);
  }

  /** An event about one client request, at {@code position} if it has one. */
  public static Event request(Kind kind, String client, long sequence, long position,
      String detail) {
    return new Event(kind, NONE, client, sequence, position, NONE, NONE, detail);
  }

  /** A protocol event in {@code term} about {@code peer} (vote, election, leader, term). */
  public static Event protocol(Kind kind, int peer, long term, String detail) {
    return new Event(kind, peer, "", NONE, NONE, term, NONE, detail);
  }

  /**
   * The detail of an apply or reply: the outcome and its reason ({@code "OK "} for an ok reply
   * with no reason). Made once per outcome when the reason is empty, the usual case, so the
   * loop thread makes no string for it on every write.
   */
  public static String outcome(Enum<?> status, String reason) {
    if (!reason.isEmpty()) {
      return status.name() + " " + reason;
    }
    return OUTCOMES.get(status.getDeclaringClass())[status.ordinal()];
  }

  private static final ClassValue<String[]> OUTCOMES = new ClassValue<>() {
    @Override
    protected String[] computeValue(Class<?> type) {
      Object[] values = type.getEnumConstants();
      String[] texts = new String[values.length];
      for (int i = 0; i < values.length; i++) {
        texts[i] = ((Enum<?>) values[i]).name() + " ";
      }
      return texts;
    }
  };

  /** A position event (stable, snapshot, install). */
  public static Event position(Kind kind, long position) {
    return new Event(kind, NONE, "", NONE, position, NONE, NONE, "");
  }
}
