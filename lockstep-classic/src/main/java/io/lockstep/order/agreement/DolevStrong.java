package io.lockstep.order.agreement;

import io.lockstep.identity.Signer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One instance of Dolev–Strong authenticated Byzantine agreement (paper §3.1, Byzantine
 * transmitter): the transmitter's value reaches every replica in t+1 synchronous rounds so that
 * IC1 and IC2 hold with any number of faulty replicas, because signatures cannot be forged.
 *
 * <p>Rules. Round 1: the transmitter signs its value and sends it to everyone. A chain received
 * in round k is valid only if it carries at least k valid signatures from distinct members, the
 * transmitter's first, all over this instance's (instance, transmitter, value) bytes — so a
 * chain cannot be replayed into another instance or passed off as another transmitter's. A
 * receiver <em>extracts</em> the value of a valid chain if it has not yet extracted it and holds
 * fewer than two values (two are enough to know the transmitter equivocated), and in round k+1
 * relays the chain with its own signature added, unless k was the last round. After round t+1,
 * one extracted value is the decision; none or several give the fixed default.
 *
 * <p>Why t+1 rounds suffice: a value a correct replica extracts in round k ≤ t is relayed to all
 * by round k+1; one extracted in round t+1 carries t+1 signatures, so one of them is a correct
 * replica's, which extracted it earlier and relayed it. So correct replicas extract the same set
 * and decide alike (IC1). A correct transmitter signs one value only, so no other value can
 * collect its signature (IC2).
 *
 * <p>Rounds are driven by the caller ({@link #endRound()}); time is its business. Invalid chains
 * are dropped and counted with a reason ({@link #rejected()}), never asserted on.
 */
public final class DolevStrong {
  /** A value with its signature chain, as sent between replicas. */
  public record Chain(long instance, int transmitter, byte[] value, List<Link> links) {
    public Chain {
      Objects.requireNonNull(value, "value");
      links = List.copyOf(links);
    }
  }

  /** One signature of a chain: {@code signer}'s signature over the instance's value bytes. */
  public record Link(int signer, byte[] signature) {
    public Link {
      Objects.requireNonNull(signature, "signature");
    }
  }

  /** A chain to send to one replica in the next round. */
  public record Send(int to, Chain chain) {}

  private final Signer signer;
  private final List<Integer> members;
  private final int t;
  private final int transmitter;
  private final long instance;
  private final byte[] defaultValue;
  private final List<byte[]> extracted = new ArrayList<>();
  private final List<Send> nextRound = new ArrayList<>();
  private final List<String> rejected = new ArrayList<>();
  private int round = 1;

  /**
   * @param signer signs as this replica and verifies the others
   * @param members every replica's id
   * @param t the number of faulty replicas tolerated (the instance runs t+1 rounds)
   * @param transmitter the replica whose value is agreed on
   * @param instance names this broadcast; part of every signed byte string
   * @param defaultValue the decision when the transmitter sent no value or several
   */
  public DolevStrong(Signer signer, List<Integer> members, int t, int transmitter, long instance,
      byte[] defaultValue) {
    this.signer = Objects.requireNonNull(signer, "signer");
    this.members = List.copyOf(members);
    if (t < 0 || !this.members.contains(transmitter) || !this.members.contains(signer.self())) {
      throw new IllegalArgumentException("t=" + t + ", transmitter " + transmitter + " and self "
          + signer.self() + " must be members of " + members);
    }
    this.t = t;
    this.transmitter = transmitter;
    this.instance = instance;
    this.defaultValue = defaultValue.clone();
  }

  /** The transmitter starts round 1 with {@code value}: its signed chain goes to everyone. */
  public void start(byte[] value) {
    if (signer.self() != transmitter || round != 1 || !extracted.isEmpty()) {
      throw new IllegalStateException("only the transmitter starts, once, in round 1");
    }
    Link own = new Link(transmitter, signer.sign(signedBytes(value)));
    extracted.add(value.clone());
    sendToOthers(new Chain(instance, transmitter, value.clone(), List.of(own)));
  }

  /**
   * A chain arrived from {@code from} during the current round.
   *
   * @return true if it was valid and gave a new value; false if it was dropped (the reason is in
   *     {@link #rejected()}) or carried a value already extracted
   */
  public boolean receive(int from, Chain chain) {
    String problem = validate(chain);
    if (problem != null) {
      rejected.add("from " + from + " in round " + round + ": " + problem);
      return false;
    }
    if (holds(chain.value()) || extracted.size() >= 2 || decided()) {
      return false;
    }
    extracted.add(chain.value().clone());
    if (round <= t) {
      List<Link> links = new ArrayList<>(chain.links());
      links.add(new Link(signer.self(), signer.sign(signedBytes(chain.value()))));
      sendToOthers(new Chain(instance, transmitter, chain.value(), links));
    }
    return true;
  }

  /**
   * Ends the current round.
   *
   * @return the chains to send in the round that starts now (none once decided)
   */
  public List<Send> endRound() {
    if (decided()) {
      return List.of();
    }
    round++;
    List<Send> out = List.copyOf(nextRound);
    nextRound.clear();
    return out;
  }

  /** The chains the transmitter sends in round 1 (call before the first {@link #endRound}). */
  public List<Send> firstRound() {
    List<Send> out = List.copyOf(nextRound);
    nextRound.clear();
    return out;
  }

  /** True once round t+1 has ended. */
  public boolean decided() {
    return round > t + 1;
  }

  /** The agreed value: the one extracted value, else the default. Only once decided. */
  public byte[] decision() {
    if (!decided()) {
      throw new IllegalStateException("undecided: round " + round + " of " + (t + 1));
    }
    return extracted.size() == 1 ? extracted.get(0).clone() : defaultValue.clone();
  }

  /** The current round, 1 to t+1 (t+2 once decided). */
  public int round() {
    return round;
  }

  /** Why each dropped chain was dropped, in arrival order. */
  public List<String> rejected() {
    return List.copyOf(rejected);
  }

  /** As {@link #rejected()}, forgotten here (a long-lived caller must not keep them all). */
  public List<String> drainRejected() {
    List<String> out = List.copyOf(rejected);
    rejected.clear();
    return out;
  }

  private boolean holds(byte[] value) {
    for (byte[] v : extracted) {
      if (Arrays.equals(v, value)) {
        return true;
      }
    }
    return false;
  }

  private void sendToOthers(Chain chain) {
    for (int member : members) {
      if (member != signer.self()) {
        nextRound.add(new Send(member, chain));
      }
    }
  }

  /** Null if {@code chain} is valid in the current round, else why not. */
  private String validate(Chain chain) {
    if (decided()) {
      return "the instance is decided";
    }
    if (chain.instance() != instance || chain.transmitter() != transmitter) {
      return "chain of instance " + chain.instance() + " transmitter " + chain.transmitter();
    }
    List<Link> links = chain.links();
    if (links.size() < round) {
      return links.size() + " signatures, round " + round + " needs " + round;
    }
    if (links.get(0).signer() != transmitter) {
      return "the first signature is " + links.get(0).signer() + "'s, not the transmitter's";
    }
    Set<Integer> signers = new HashSet<>();
    byte[] signed = signedBytes(chain.value());
    for (Link link : links) {
      if (!members.contains(link.signer()) || !signers.add(link.signer())) {
        return "signer " + link.signer() + " is not a member or signs twice";
      }
      if (!signer.verify(link.signer(), signed, link.signature())) {
        return "signature of " + link.signer() + " does not verify";
      }
    }
    return null;
  }

  /** What every link signs: the instance, the transmitter and the value. */
  private byte[] signedBytes(byte[] value) {
    return signedBytes(instance, transmitter, value);
  }

  /**
   * What every link of instance {@code instance} with {@code transmitter} signs over
   * {@code value} (public for test liars that sign a second value with their own key).
   */
  public static byte[] signedBytes(long instance, int transmitter, byte[] value) {
    return ByteBuffer.allocate(8 + 4 + 4 + value.length).putLong(instance).putInt(transmitter)
        .putInt(value.length).put(value).array();
  }
}
