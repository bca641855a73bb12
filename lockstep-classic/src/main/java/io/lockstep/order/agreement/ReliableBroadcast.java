package io.lockstep.order.agreement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Fail-stop reliable broadcast with FIFO delivery per origin (paper §3.1, fail-stop transmitter;
 * §3.2.1's FIFO channels). One object per replica.
 *
 * <p>Each origin numbers its messages 1, 2, 3…; a receiver delivers origin o's message n only
 * after o's message n−1, buffers ones that arrive early and drops repeats, so messages lost,
 * duplicated or reordered by the network are still delivered once each, in the origin's order,
 * whichever replica relays them. Receivers report how far they have received each origin
 * ({@link #acknowledge}); the origin retransmits what a peer has not acknowledged
 * ({@link #toResend}). Once an origin is detected failed ({@link #failed}), every receiver
 * retransmits what it holds of that origin to every peer that has not acknowledged it: a message
 * that reached one correct replica thus reaches all (IC1); a correct origin's messages reach all
 * because it retransmits until they are acknowledged (IC2). A message is kept until every peer
 * not known failed has acknowledged it.
 *
 * @param <P> the payload type
 */
public final class ReliableBroadcast<P> {
  /** One broadcast message: the {@code seq}-th message of {@code origin}. */
  public record Data<P>(int origin, long seq, P payload) {
    public Data {
      Objects.requireNonNull(payload, "payload");
      if (seq < 1) {
        throw new IllegalArgumentException("seq must be at least 1, was " + seq);
      }
    }
  }

  /** Most early (out-of-order) messages buffered per origin; more are dropped and resent. */
  public static final int MAX_EARLY_PER_ORIGIN = 4096;

  private final int self;
  private final List<Integer> members;
  private final Map<Integer, Long> delivered = new HashMap<>();
  private final Map<Integer, TreeMap<Long, Data<P>>> early = new HashMap<>();
  /** Messages kept for retransmission and relay, per origin, until every live peer has them. */
  private final Map<Integer, TreeMap<Long, Data<P>>> kept = new HashMap<>();
  /** What each peer reported it received, per origin. */
  private final Map<Integer, Map<Integer, Long>> acked = new HashMap<>();
  private final Set<Integer> failed = new HashSet<>();
  private long nextSeq = 1;
  private long droppedEarly;

  /**
   * @param self this replica
   * @param members every replica, this one included
   */
  public ReliableBroadcast(int self, List<Integer> members) {
    this.self = self;
    this.members = List.copyOf(members);
    if (!this.members.contains(self)) {
      throw new IllegalArgumentException(self + " is not in " + members);
    }
    for (int m : this.members) {
      delivered.put(m, 0L);
      early.put(m, new TreeMap<>());
      kept.put(m, new TreeMap<>());
      acked.put(m, new HashMap<>());
    }
  }

  /** This replica broadcasts {@code payload}: returns the message to send to every peer. */
  public Data<P> originate(P payload) {
    return originate(seq -> payload);
  }

  /**
   * This replica broadcasts the payload {@code make} builds for the next sequence number (for
   * payloads that carry their own number).
   */
  public Data<P> originate(java.util.function.LongFunction<P> make) {
    long seq = nextSeq++;
    Data<P> data = new Data<>(self, seq, make.apply(seq));
    delivered.put(self, data.seq());
    kept.get(self).put(data.seq(), data);
    return data;
  }

  /**
   * A message arrived (from its origin or relayed).
   *
   * @return the messages now deliverable, in their origins' order (empty for a repeat, an early
   *     message, or one of a non-member origin)
   */
  public List<Data<P>> receive(Data<P> data) {
    int origin = data.origin();
    if (!delivered.containsKey(origin) || origin == self || data.seq() <= delivered.get(origin)) {
      return List.of();
    }
    TreeMap<Long, Data<P>> buffer = early.get(origin);
    if (buffer.size() >= MAX_EARLY_PER_ORIGIN && !buffer.containsKey(data.seq())) {
      droppedEarly++;
      return List.of();
    }
    buffer.put(data.seq(), data);
    List<Data<P>> out = new ArrayList<>();
    long next = delivered.get(origin) + 1;
    while (!buffer.isEmpty() && buffer.firstKey() == next) {
      Data<P> d = buffer.pollFirstEntry().getValue();
      kept.get(origin).put(d.seq(), d);
      out.add(d);
      next++;
    }
    delivered.put(origin, next - 1);
    return out;
  }

  /** How many of {@code origin}'s messages this replica has delivered (all of 1..n). */
  public long receivedThrough(int origin) {
    Long n = delivered.get(origin);
    if (n == null) {
      throw new IllegalArgumentException(origin + " is not a member");
    }
    return n;
  }

  /** Peer {@code peer} reported it has delivered {@code origin}'s messages 1..{@code through}. */
  public void acknowledge(int peer, int origin, long through) {
    Map<Integer, Long> byOrigin = acked.get(peer);
    if (byOrigin == null || !kept.containsKey(origin)) {
      return;
    }
    byOrigin.merge(origin, through, Math::max);
    forgetAcknowledged(origin);
  }

  /** What {@code peer} last reported having of {@code origin} (0 if nothing). */
  public long acknowledged(int peer, int origin) {
    return acked.getOrDefault(peer, Map.of()).getOrDefault(origin, 0L);
  }

  /**
   * {@code replica} was detected failed: from now on this replica relays what it holds of it and
   * no longer waits for its acknowledgements.
   */
  public void failed(int replica) {
    if (replica != self && failed.add(replica)) {
      for (int origin : members) {
        forgetAcknowledged(origin);
      }
    }
  }

  /**
   * {@code replica} rejoins (paper §7.2): its acknowledgements count again, so this replica
   * keeps its own messages until the rejoined one has them, and retransmits them to it. What is
   * buffered of it past a gap is dropped: those came from its earlier life (its new one numbers
   * its messages on from what the replicas delivered, and retransmits any this one lacks), and
   * delivered after its next message they would pass for new ones.
   */
  public void readmit(int replica) {
    failed.remove(replica);
    early.get(replica).clear();
  }

  /**
   * A rejoining replica takes over a live one's reception state: {@code origin}'s messages
   * 1..{@code through} count as delivered (they are in the state it received), so the next one
   * delivered is {@code through + 1}; for this replica itself, its own numbering goes on after
   * {@code through}, where the others expect it.
   */
  public void resume(int origin, long through) {
    if (!delivered.containsKey(origin) || through < 0) {
      throw new IllegalArgumentException("cannot resume " + origin + " at " + through);
    }
    if (origin == self) {
      nextSeq = Math.max(nextSeq, through + 1);
    }
    delivered.put(origin, Math.max(delivered.get(origin), through));
    early.get(origin).headMap(delivered.get(origin), true).clear();
  }

  /** Replicas detected failed. */
  public Set<Integer> failedReplicas() {
    return Set.copyOf(failed);
  }

  /**
   * What to (re)send to {@code peer} now: this replica's own messages and those of failed
   * origins that {@code peer} has not acknowledged.
   */
  public List<Data<P>> toResend(int peer) {
    if (peer == self || failed.contains(peer)) {
      return List.of();
    }
    List<Data<P>> out = new ArrayList<>();
    for (int origin : members) {
      if (origin == peer || (origin != self && !failed.contains(origin))) {
        continue;
      }
      out.addAll(kept.get(origin).tailMap(acknowledged(peer, origin), false).values());
    }
    return out;
  }

  /** Messages dropped because too many of their origin's later ones were already buffered. */
  public long droppedEarly() {
    return droppedEarly;
  }

  /** Messages kept for retransmission or relay, for tests and metrics. */
  public int keptCount() {
    return kept.values().stream().mapToInt(TreeMap::size).sum();
  }

  private void forgetAcknowledged(int origin) {
    long everyone = Long.MAX_VALUE;
    for (int peer : members) {
      if (peer != self && peer != origin && !failed.contains(peer)) {
        everyone = Math.min(everyone, acknowledged(peer, origin));
      }
    }
    if (everyone == Long.MAX_VALUE) {
      kept.get(origin).clear(); // no live peer could need a copy
    } else {
      kept.get(origin).headMap(everyone, true).clear();
    }
  }
}
