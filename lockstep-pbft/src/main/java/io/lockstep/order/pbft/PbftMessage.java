package io.lockstep.order.pbft;

import io.lockstep.order.ProtocolMessage;
import io.lockstep.request.Request;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The messages of the PBFT-class protocol (Castro and Liskov, OSDI 1999 and TOCS 2002), one
 * record per kind. The sender of every message is the authenticated channel's peer, never a
 * field: the runtime authenticates each peer link (pairwise MACs), so normal-case messages carry
 * no signature. Messages that must convince a third party carry their signer's Ed25519
 * signature: checkpoint votes (a stable checkpoint's proof travels in view changes and state
 * transfer), view changes (the new primary forwards them in its new view) and the new view.
 */
public sealed interface PbftMessage extends ProtocolMessage {
  /** The primary of {@code view} assigns {@code seq} to {@code batch} (§4.2). */
  record PrePrepare(long view, long seq, Batch batch) implements PbftMessage {
    public PrePrepare {
      requireView(view);
      requireSeq(seq);
      Objects.requireNonNull(batch, "batch");
    }
  }

  /** A backup accepted the pre-prepare of ({@code view}, {@code seq}) with {@code digest}. */
  record Prepare(long view, long seq, Digest digest) implements PbftMessage {
    public Prepare {
      requireView(view);
      requireSeq(seq);
      Objects.requireNonNull(digest, "digest");
    }
  }

  /** The sender holds a prepared certificate for ({@code view}, {@code seq}, {@code digest}). */
  record Commit(long view, long seq, Digest digest) implements PbftMessage {
    public Commit {
      requireView(view);
      requireSeq(seq);
      Objects.requireNonNull(digest, "digest");
    }
  }

  /**
   * A batch's content for a replica that lags, sent only by a replica that executed it at
   * {@code seq}: the content is taken if a commit or pre-prepare there names its digest, and
   * t+1 members claiming one batch this way prove it committed (one of them is correct).
   */
  record Fill(long seq, Batch batch) implements PbftMessage {
    public Fill {
      requireSeq(seq);
      Objects.requireNonNull(batch, "batch");
    }
  }

  /**
   * The signer's state after executing {@code seq} has digest {@code state}, with agreed time
   * {@code time} (§4.3). Signed, because 2t+1 of them prove a stable checkpoint to anyone.
   */
  record CheckpointVote(long seq, Digest state, long time, int replica, byte[] signature)
      implements PbftMessage {
    public CheckpointVote {
      requireSeq(seq);
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(signature, "signature");
      signature = signature.clone();
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }
  }

  /**
   * A prepared certificate the sender holds: {@code batch} with {@code digest} prepared at
   * {@code seq} in {@code view}, the latest view it prepared anything there (the P set, §4.4).
   */
  record Prepared(long seq, long view, Digest digest, Batch batch) {
    public Prepared {
      requireSeq(seq);
      requireView(view);
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(batch, "batch");
    }
  }

  /** The sender accepted a pre-prepare for {@code digest} at {@code seq} in {@code view} (Q). */
  record PrePrepared(long seq, long view, Digest digest) {
    public PrePrepared {
      requireSeq(seq);
      requireView(view);
      Objects.requireNonNull(digest, "digest");
    }
  }

  /**
   * The signer moves to {@code newView} (§4.4): its stable checkpoint with the 2t+1 votes that
   * prove it ({@code stableSeq} 0 and no votes before the first), and its P and Q sets above it.
   */
  record ViewChange(long newView, int replica, long stableSeq, List<CheckpointVote> stableProof,
      List<Prepared> prepared, List<PrePrepared> prePrepared, byte[] signature)
      implements PbftMessage {
    public ViewChange {
      if (newView < 1) {
        throw new IllegalArgumentException("a view change is to view 1 or later, got " + newView);
      }
      if (stableSeq < 0) {
        throw new IllegalArgumentException("stable seq must not be negative, was " + stableSeq);
      }
      stableProof = List.copyOf(stableProof);
      prepared = List.copyOf(prepared);
      prePrepared = List.copyOf(prePrepared);
      Objects.requireNonNull(signature, "signature");
      signature = signature.clone();
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }
  }

  /**
   * The primary of {@code view} starts it (§4.4): the 2t+1 or more view changes it decided from,
   * and the batches it orders at each sequence number after the chosen stable checkpoint.
   */
  record NewView(long view, List<ViewChange> proofs, List<PrePrepare> prePrepares,
      byte[] signature) implements PbftMessage {
    public NewView {
      requireView(view);
      proofs = List.copyOf(proofs);
      prePrepares = List.copyOf(prePrepares);
      Objects.requireNonNull(signature, "signature");
      signature = signature.clone();
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }
  }

  /**
   * Periodic progress report: peers answer what the sender lacks (commits and batches it
   * missed, a stable checkpoint it has not seen, the new view it missed) — PBFT's status-based
   * retransmission (TOCS §5.2). It also carries the sender's silence report: for each other
   * replica of its configuration, how long (ms, on the sender's monotonic clock) since it last
   * received an authenticated message from it. One replica's report is only its word; a peer
   * counts a replica silent on t+1 such reports ({@link Silence}).
   */
  record Status(long view, boolean changingView, long executed, long stableSeq,
      Map<Integer, Long> silentMillis) implements PbftMessage {
    /** Most replicas one silence report may name (far above any real configuration). */
    public static final int MAX_REPORTED = 1_024;

    public Status {
      requireView(view);
      if (executed < 0 || stableSeq < 0) {
        throw new IllegalArgumentException("executed and stable seq must not be negative");
      }
      silentMillis = Map.copyOf(Objects.requireNonNull(silentMillis, "silentMillis"));
      if (silentMillis.size() > MAX_REPORTED) {
        throw new IllegalArgumentException("a silence report names at most " + MAX_REPORTED
            + " replicas, got " + silentMillis.size());
      }
      for (Map.Entry<Integer, Long> e : silentMillis.entrySet()) {
        if (e.getKey() < 0 || e.getValue() < 0) {
          throw new IllegalArgumentException("a silence report's replicas and durations must"
              + " not be negative: " + e);
        }
      }
    }

    /** A progress report without a silence report. */
    public Status(long view, boolean changingView, long executed, long stableSeq) {
      this(view, changingView, executed, stableSeq, Map.of());
    }
  }

  /**
   * The sender suspects the primary of {@code view} (its request timer expired, or the primary
   * looks slow or silent) but still takes part in the view: a replica signs a view change only
   * once t+1 replicas suspect the same view's primary ({@link Suspicions}), so one replica that
   * stalled or lagged alone does not leave the protocol.
   */
  record Suspect(long view) implements PbftMessage {
    public Suspect {
      requireView(view);
    }
  }

  /** A request a backup holds and the primary has not ordered in time (forwarded, §4.4). */
  record Forward(Request request) implements PbftMessage {
    public Forward {
      Objects.requireNonNull(request, "request");
    }
  }

  /** State transfer: the bytes of the checkpoint at {@code seq} from {@code offset} on. */
  record FetchState(long seq, long offset) implements PbftMessage {
    public FetchState {
      requireSeq(seq);
      if (offset < 0) {
        throw new IllegalArgumentException("offset must not be negative, was " + offset);
      }
    }
  }

  /** State transfer: one chunk of the checkpoint at {@code seq}, of {@code total} bytes. */
  record StateChunk(long seq, long offset, long total, byte[] data) implements PbftMessage {
    public StateChunk {
      requireSeq(seq);
      Objects.requireNonNull(data, "data");
      if (offset < 0 || total < 0 || offset + data.length > total) {
        throw new IllegalArgumentException("chunk [" + offset + ", " + (offset + data.length)
            + ") does not fit a state of " + total + " bytes");
      }
      data = data.clone();
    }

    @Override
    public byte[] data() {
      return data.clone();
    }
  }

  /**
   * Wipe detection ({@link WipeCheck}): the sender started with an empty data directory under
   * {@code incarnation} and asks which incarnation of it the receiver first heard (never 0).
   */
  record IncarnationProbe(long incarnation) implements PbftMessage {
    public IncarnationProbe {
      if (incarnation == 0) {
        throw new IllegalArgumentException("incarnation 0 names none");
      }
    }
  }

  /** The answer to a probe: the incarnation of the asker first heard here, 0 for none. */
  record IncarnationAnswer(long remembered) implements PbftMessage {}

  private static void requireView(long view) {
    if (view < 0) {
      throw new IllegalArgumentException("view must not be negative, was " + view);
    }
  }

  private static void requireSeq(long seq) {
    if (seq < 1) {
      throw new IllegalArgumentException("sequence number must be at least 1, was " + seq);
    }
  }
}
