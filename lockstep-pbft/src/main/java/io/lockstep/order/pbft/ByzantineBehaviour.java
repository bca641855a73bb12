package io.lockstep.order.pbft;

import io.lockstep.identity.Signer;
import io.lockstep.machine.ClientId;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Ready;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Ways a Byzantine PBFT replica misbehaves (the Byzantine fault shapes that broke real systems),
 * each a {@link MessageInterceptor} over the replica's real protocol: it runs the correct protocol
 * and lies in what it sends. The simulator gives one to one replica of 3t+1 (t = 1); a replica
 * process runs one when its cluster file says so ({@code pbft.test-byzantine-behaviour.<id>},
 * test only, see {@link TestBehaviourSetting}), so the same definitions serve both.
 */
public enum ByzantineBehaviour {
  /** Sends nothing to anyone (a crashed or cut-off replica that the others must outvote). */
  SILENT,
  /**
   * As primary, sends two different batches for one sequence number to different backups; as
   * backup, prepares and commits a made-up digest to some replicas and the real one to others.
   */
  EQUIVOCATE,
  /**
   * Corrupts what it sends: digests, signatures (checkpoint votes and view changes fail to
   * verify), checkpoint digests (its state digest is wrong), state-transfer chunks (a corrupt
   * snapshot) and forged requests in its pre-prepares.
   */
  CORRUPT,
  /**
   * Votes for every checkpoint with a state digest that is not its state's, signed with its own
   * key, so the vote is a well-formed, authentic lie (not a broken signature): a checkpoint
   * must become stable on 2t+1 matching votes of the others, and a lagging replica must never
   * fetch state on the strength of the liar's digest.
   */
  WRONG_CHECKPOINT_DIGEST,
  /**
   * Runs the protocol honestly but serves a corrupt state to a replica that fetches a
   * checkpoint from it: each state chunk it sends has the same size and offsets as the real one
   * with its bytes changed. The fetching replica must refuse it by the stable checkpoint's
   * digest and fetch the state from another voter.
   */
  CORRUPT_STATE_TRANSFER,
  /**
   * Replays messages it sent earlier (from earlier views and sequence numbers) with new ones,
   * to the members it has sent to (the replicas it knows, whatever their ids).
   */
  REPLAY,
  /** Holds back its pre-prepares and releases them late (a slow primary). */
  SLOW,
  /**
   * As primary, holds every pre-prepare {@link SlowPrimary#HOLD_MILLIS} before it leaves: just
   * inside the bound at which a backup suspects the primary by a request's age (twice the
   * propose delay, 300 ms by default; the request timer is longer still), so every request
   * commits in time while throughput collapses (Aardvark's slow primary). Only a throughput
   * check replaces it.
   */
  SLOW_PRIMARY,
  /**
   * Answers clients with wrong results and wrong read values, well-formed ones (a digit or a
   * letter of the real answer changed: {@code +OK} becomes {@code +OL}, {@code :3}
   * {@code :4}), so a client that took one reply would be fooled; runs the protocol correctly
   * ({@link WrongAnswers}).
   */
  WRONG_REPLIES,
  /**
   * Answers reads with the value a key had before the last write it executed (a value it has
   * moved past); runs the protocol and answers requests correctly ({@link StaleReader}).
   */
  STALE_READS;

  /**
   * The name a cluster file selects it by: the constant's name in lower case with hyphens, e.g.
   * {@code wrong-replies} for {@link #WRONG_REPLIES}.
   */
  public String configName() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /**
   * Why a replica process cannot run it (it needs a hook only the simulator has), or null if it
   * can: the server's send path carries out what {@link MessageInterceptor#intercept} returns at
   * once, and does not tell it which key each read asks.
   */
  String simulatorOnly() {
    return switch (this) {
      case SLOW_PRIMARY -> "it holds pre-prepares for a time (MessageInterceptor.holdNanos),"
          + " which only the simulator does";
      case STALE_READS -> "it must see each read's query (MessageInterceptor.readArrived),"
          + " which only the simulator shows it";
      default -> null;
    };
  }

  /**
   * A fresh interceptor for one replica of one run (it may keep state, e.g. replays), without
   * the replica's key: {@link #WRONG_CHECKPOINT_DIGEST}'s votes then fail to verify.
   */
  public MessageInterceptor interceptor() {
    return interceptor(null);
  }

  /**
   * A fresh interceptor for the replica whose key {@code signer} holds (its lies that carry a
   * signature are signed with it, as a real Byzantine replica would), or null without one.
   */
  public MessageInterceptor interceptor(Signer signer) {
    return switch (this) {
      case SILENT -> (from, outbound, random) -> List.of();
      case EQUIVOCATE -> new Equivocator();
      case CORRUPT -> (from, outbound, random) -> List.of(corrupt(outbound, random));
      case WRONG_CHECKPOINT_DIGEST -> (from, outbound, random) ->
          List.of(wrongCheckpoint(outbound, signer));
      case CORRUPT_STATE_TRANSFER -> (from, outbound, random) ->
          List.of(corruptChunk(outbound));
      case REPLAY -> new Replayer();
      case SLOW -> new Slow();
      case SLOW_PRIMARY -> new SlowPrimary();
      case WRONG_REPLIES -> new WrongAnswers();
      case STALE_READS -> new StaleReader();
    };
  }

  private static Ready.Outbound corrupt(Ready.Outbound outbound, RandomGenerator random) {
    ProtocolMessage m = outbound.message();
    if (random.nextInt(3) == 0) {
      return outbound;
    }
    if (m instanceof PbftMessage.Prepare p) {
      return to(outbound, new PbftMessage.Prepare(p.view(), p.seq(), flip(p.digest())));
    } else if (m instanceof PbftMessage.Commit c) {
      return to(outbound, new PbftMessage.Commit(c.view(), c.seq(), flip(c.digest())));
    } else if (m instanceof PbftMessage.CheckpointVote v) {
      return to(outbound, random.nextBoolean()
          ? new PbftMessage.CheckpointVote(v.seq(), v.state(), v.time(), v.replica(),
              flip(v.signature()))
          : new PbftMessage.CheckpointVote(v.seq(), flip(v.state()), v.time(), v.replica(),
              v.signature()));
    } else if (m instanceof PbftMessage.ViewChange vc) {
      return to(outbound, new PbftMessage.ViewChange(vc.newView(), vc.replica(), vc.stableSeq(),
          vc.stableProof(), vc.prepared(), vc.prePrepared(), flip(vc.signature())));
    } else if (m instanceof PbftMessage.StateChunk c && c.data().length > 0) {
      return to(outbound, new PbftMessage.StateChunk(c.seq(), c.offset(), c.total(),
          flip(c.data())));
    } else if (m instanceof PbftMessage.PrePrepare pp) {
      List<Request> forged = new ArrayList<>(pp.batch().requests());
      forged.add(Request.command(ClientId.of("forged"), 1 + random.nextInt(1000),
          "forged".getBytes(StandardCharsets.UTF_8)));
      return to(outbound, new PbftMessage.PrePrepare(pp.view(), pp.seq(),
          new Batch(pp.batch().time(), forged)));
    }
    return outbound;
  }

  /** A checkpoint vote for a digest its state does not have, signed when it has a key. */
  private static Ready.Outbound wrongCheckpoint(Ready.Outbound outbound, Signer signer) {
    if (!(outbound.message() instanceof PbftMessage.CheckpointVote v)) {
      return outbound;
    }
    Digest lie = flip(v.state());
    return to(outbound, signer == null
        ? new PbftMessage.CheckpointVote(v.seq(), lie, v.time(), v.replica(), v.signature())
        : Signing.signCheckpoint(signer, v.seq(), lie, v.time()));
  }

  /** A state chunk of the real size at the real offset, with changed bytes. */
  private static Ready.Outbound corruptChunk(Ready.Outbound outbound) {
    if (outbound.message() instanceof PbftMessage.StateChunk c && c.data().length > 0) {
      return to(outbound, new PbftMessage.StateChunk(c.seq(), c.offset(), c.total(),
          flip(c.data())));
    }
    return outbound;
  }

  private static Ready.Outbound to(Ready.Outbound outbound, ProtocolMessage message) {
    return new Ready.Outbound(outbound.to(), message);
  }

  private static Digest flip(Digest digest) {
    return new Digest(flip(digest.bytes()));
  }

  private static byte[] flip(byte[] bytes) {
    byte[] copy = bytes.clone();
    copy[copy.length / 2] ^= 0x5a;
    return copy;
  }

  /**
   * Tells replicas with an odd id one story and the others another, consistently: as primary, a
   * second batch (the first without its last request, so backups hold every request in it) for
   * the same sequence number; and its prepares and commits for that sequence number name the
   * second batch to the odd replicas. Elsewhere its votes to odd replicas name a made-up digest.
   */
  private static final class Equivocator implements MessageInterceptor {
    private final java.util.Map<Long, Digest[]> stories = new java.util.HashMap<>();

    @Override
    public List<Ready.Outbound> intercept(int from, Ready.Outbound outbound,
        RandomGenerator random) {
      ProtocolMessage m = outbound.message();
      if (m instanceof PbftMessage.PrePrepare pp && !pp.batch().requests().isEmpty()) {
        List<Request> all = pp.batch().requests();
        Batch other = new Batch(pp.batch().time(), all.subList(0, all.size() - 1));
        stories.put(pp.seq(), new Digest[] {pp.batch().digest(), other.digest()});
        return List.of(outbound.to() % 2 == 0 ? outbound
            : to(outbound, new PbftMessage.PrePrepare(pp.view(), pp.seq(), other)));
      }
      if (outbound.to() % 2 == 0) {
        return List.of(outbound);
      }
      if (m instanceof PbftMessage.Prepare p) {
        return List.of(to(outbound, new PbftMessage.Prepare(p.view(), p.seq(),
            otherStory(p.seq(), p.digest()))));
      }
      if (m instanceof PbftMessage.Commit c) {
        return List.of(to(outbound, new PbftMessage.Commit(c.view(), c.seq(),
            otherStory(c.seq(), c.digest()))));
      }
      return List.of(outbound);
    }

    private Digest otherStory(long seq, Digest digest) {
      Digest[] story = stories.get(seq);
      return story != null && story[0].equals(digest) ? story[1] : flip(digest);
    }
  }

  /**
   * Keeps a window of what it sent and mixes old messages in, each to one of the replicas it has
   * sent to: the members it knows, whatever their ids (the simulator numbers replicas from 0, a
   * cluster file usually from 1), so no replay is addressed to nobody.
   */
  static final class Replayer implements MessageInterceptor {
    private final ArrayDeque<Ready.Outbound> sent = new ArrayDeque<>();
    /** Every replica it has sent to, in a fixed order (a seed's replay stays the same). */
    private final java.util.TreeSet<Integer> members = new java.util.TreeSet<>();

    @Override
    public List<Ready.Outbound> intercept(int from, Ready.Outbound outbound,
        RandomGenerator random) {
      List<Ready.Outbound> out = new ArrayList<>();
      out.add(outbound);
      members.add(outbound.to());
      if (!sent.isEmpty() && random.nextInt(4) == 0) {
        Ready.Outbound old = sent.toArray(new Ready.Outbound[0])[random.nextInt(sent.size())];
        Integer[] known = members.toArray(new Integer[0]);
        out.add(new Ready.Outbound(known[random.nextInt(known.length)], old.message()));
      }
      if (random.nextInt(8) == 0) {
        sent.addLast(outbound);
        if (sent.size() > 200) {
          sent.removeFirst();
        }
      }
      return out;
    }
  }

  /** Releases each pre-prepare only after many later sends: a primary ordering slowly. */
  private static final class Slow implements MessageInterceptor {
    private static final int HOLD_SENDS = 40;
    private final ArrayDeque<Ready.Outbound> held = new ArrayDeque<>();
    private final ArrayDeque<Long> heldAt = new ArrayDeque<>();
    private long sends;

    @Override
    public List<Ready.Outbound> intercept(int from, Ready.Outbound outbound,
        RandomGenerator random) {
      sends++;
      List<Ready.Outbound> out = new ArrayList<>();
      while (!heldAt.isEmpty() && sends - heldAt.peekFirst() >= HOLD_SENDS) {
        heldAt.removeFirst();
        out.add(held.removeFirst());
      }
      if (outbound.message() instanceof PbftMessage.PrePrepare) {
        held.addLast(outbound);
        heldAt.addLast(sends);
      } else {
        out.add(outbound);
      }
      return out;
    }
  }

  /** Sends everything at once except pre-prepares, which it holds just under the bound. */
  static final class SlowPrimary implements MessageInterceptor {
    /** Under the 300 ms age bound by the time a pre-prepare crosses the network and a tick. */
    static final long HOLD_MILLIS = 250;

    @Override
    public List<Ready.Outbound> intercept(int from, Ready.Outbound outbound,
        RandomGenerator random) {
      return List.of(outbound);
    }

    @Override
    public long holdNanos(Ready.Outbound sent) {
      return sent.message() instanceof PbftMessage.PrePrepare ? HOLD_MILLIS * 1_000_000 : 0;
    }
  }
}
