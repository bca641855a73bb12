package io.lockstep.order.pbft;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.PreverifiedSigner;
import io.lockstep.identity.SignatureClaim;
import io.lockstep.identity.Signer;
import io.lockstep.machine.ClientId;
import io.lockstep.order.CheckpointSeal;
import io.lockstep.order.Input;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Ordered;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Ready;
import io.lockstep.order.SnapshotData;
import io.lockstep.order.StorageWrite;
import io.lockstep.order.pbft.wire.PbftCodec;
import io.lockstep.replica.Replica;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A scripted cluster of PBFT replicas for scenario tests: messages are queued and delivered in
 * order unless a filter drops or rewrites them, and a tiny stand-in executor per replica keeps
 * a hash chain of what it applied, which is the "state" checkpoints digest and state transfer
 * moves.
 */
final class Net {
  /** One message in flight. */
  record Msg(int from, int to, ProtocolMessage message) {}

  /** Rewrites or drops (returns null) a message in flight. */
  interface Filter {
    Msg apply(Msg msg);
  }

  private static final Map<Integer, Signer> SIGNERS =
      Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(List.of(0, 1, 2, 3), 11));

  final Pbft[] nodes;
  final PbftConfig[] configs;
  final TestDisk[] disks;
  /** Each replica's signer when the runtime's pre-check runs, else null. */
  final PreverifiedSigner[] preverified;
  final List<List<Ordered>> applied = new ArrayList<>();
  final byte[][] state;
  final long[] clockOffset;
  final ArrayDeque<Msg> queue = new ArrayDeque<>();
  Filter filter = m -> m;
  /**
   * When set, a wanted checkpoint state is only captured ({@link Input.StateCaptured}) and held
   * in {@link #digests} until a test hands it over ({@link #releaseDigest}), as the server's
   * digester thread does later; when clear, it is handed over at once, as the simulator does.
   */
  boolean digestLater;
  /**
   * Every pin a replica took on a state {@link #releaseDigest} handed it, by replica: the
   * server's states are files, and a pin never released would hold one open for ever.
   */
  final List<List<CountedPin>> pins = new ArrayList<>();

  /** A pin that notes whether it was released. */
  static final class CountedPin implements SnapshotData.Pin {
    private final SnapshotData data;
    boolean released;

    CountedPin(SnapshotData data) {
      this.data = data;
    }

    @Override
    public SnapshotData data() {
      return data;
    }

    @Override
    public void release() {
      released = true;
    }
  }

  /** Per replica, captured checkpoint states whose digest has not been handed over yet. */
  final List<ArrayDeque<Held>> digests = new ArrayList<>();
  /**
   * Per replica whose disk lags ({@link #lagDisk}), what it wrote and has not forced yet, and
   * the messages that wait for it; null for a disk that keeps up (durable at once).
   */
  private final Unsynced[] unsynced = new Unsynced[4];

  /** Writes not yet forced, and the messages the runtime holds until they are. */
  private record Unsynced(List<StorageWrite> writes, List<Msg> held) {}

  /**
   * A captured checkpoint state waiting for its digest: the position it was captured at, and
   * what signs its vote with the digest (null if the replica signs it itself).
   */
  record Held(long position, byte[] state, CheckpointSeal seal) {}

  long now = 1_000;
  private long nextSequence = 1;

  Net(UnaryOperator<PbftConfig> tune) {
    this(tune, false, ThroughputPolicy.aardvark());
  }

  /**
   * With {@code precheck}, every delivery first verifies the codec's signature claims into the
   * receiver's {@link PreverifiedSigner}, as the server's intake does on its pool.
   */
  Net(UnaryOperator<PbftConfig> tune, boolean precheck) {
    this(tune, precheck, ThroughputPolicy.aardvark());
  }

  /** With backups holding primaries to {@code throughput}. */
  Net(UnaryOperator<PbftConfig> tune, ThroughputPolicy throughput) {
    this(tune, false, throughput);
  }

  private Net(UnaryOperator<PbftConfig> tune, boolean precheck, ThroughputPolicy throughput) {
    List<Integer> members = List.of(0, 1, 2, 3);
    nodes = new Pbft[4];
    configs = new PbftConfig[4];
    disks = new TestDisk[4];
    preverified = precheck ? new PreverifiedSigner[4] : null;
    state = new byte[4][];
    clockOffset = new long[4];
    for (int i = 0; i < 4; i++) {
      Signer signer = SIGNERS.get(i);
      if (precheck) {
        preverified[i] = new PreverifiedSigner(signer, 4096);
        signer = preverified[i];
      }
      configs[i] = tune.apply(PbftConfig.defaults(i, members, 1, signer));
      nodes[i] = new Pbft(configs[i], throughput);
      disks[i] = new TestDisk();
      applied.add(new ArrayList<>());
      digests.add(new ArrayDeque<>());
      pins.add(new ArrayList<>());
      state[i] = new byte[0];
    }
    tick(0);
  }

  /** A fresh request from client "c". */
  Request request() {
    return Request.command(ClientId.of("c"), nextSequence++,
        ("op" + nextSequence).getBytes(StandardCharsets.UTF_8));
  }

  /** Sends {@code count} fresh requests to every replica, each run until the cluster is quiet. */
  void sendAll(int count) {
    for (int i = 0; i < count; i++) {
      send(request());
      run();
    }
  }

  /** From now on records every message replica {@code from} sends (replacing the filter). */
  List<ProtocolMessage> recordFrom(int from) {
    List<ProtocolMessage> sent = new ArrayList<>();
    filter = m -> {
      if (m.from() == from) {
        sent.add(m.message());
      }
      return m;
    };
    return sent;
  }

  /** The client sends {@code request} to the given replicas (all when none given). */
  void send(Request request, int... to) {
    int[] targets = to.length == 0 ? new int[] {0, 1, 2, 3} : to;
    for (int i : targets) {
      nodes[i].step(new Input.Propose(request));
    }
  }

  /** Advances every clock by {@code millis} and ticks every replica. */
  void tick(long millis) {
    now += millis;
    for (int i = 0; i < nodes.length; i++) {
      nodes[i].step(new Input.Tick(now, 1_700_000_000_000L + now + clockOffset[i]));
    }
  }

  /** Ticks in steps of {@code step} ms for {@code total} ms, delivering after each. */
  void runFor(long total, long step) {
    for (long t = 0; t < total; t += step) {
      tick(step);
      run();
    }
  }

  /** Drains every replica and delivers messages until nothing moves. */
  void run() {
    for (int round = 0; round < 100_000; round++) {
      for (int i = 0; i < nodes.length; i++) {
        drain(i);
      }
      if (queue.isEmpty()) {
        return;
      }
      while (!queue.isEmpty()) {
        Msg msg = filter.apply(queue.poll());
        if (msg != null) {
          deliver(msg);
        }
      }
    }
    throw new AssertionError("the cluster never went quiet");
  }

  /** Steps {@code msg} at its receiver, after the runtime's pre-check when it runs. */
  void deliver(Msg msg) {
    if (preverified != null) {
      for (SignatureClaim claim : PbftCodec.INSTANCE.signatures(msg.from(), msg.message())) {
        preverified[msg.to()].preverify(claim);
      }
    }
    nodes[msg.to()].step(new Input.Receive(msg.from(), msg.message()));
  }

  private void drain(int i) {
    for (int k = 0; k < 10_000; k++) {
      Ready ready = nodes[i].ready();
      // ready() checks only the slots that changed; every scripted test also walks them all,
      // so a change that escaped ChangedSlots would fail here.
      Invariants.checkAll(nodes[i]);
      if (ready.isEmpty()) {
        return;
      }
      write(i, ready);
      if (ready.install() != null) {
        state[i] = ready.install().state();
        applied.get(i).clear();
      }
      for (Ordered ordered : ready.stable()) {
        applied.get(i).add(ordered);
        state[i] = Digest.of(concat(state[i], ordered.toString())).bytes();
      }
      if (nodes[i].wantsSnapshot() && digestLater) {
        List<Ordered> done = applied.get(i);
        long position = done.isEmpty() ? 0 : done.get(done.size() - 1).position();
        nodes[i].step(new Input.StateCaptured(position));
        digests.get(i).add(new Held(position, state[i], nodes[i].checkpointSeal(position)));
      } else if (nodes[i].wantsSnapshot()) {
        nodes[i].step(new Input.SnapshotTaken(0, state[i]));
      }
    }
    throw new AssertionError("replica " + i + " never quiesced");
  }

  /**
   * Makes {@code ready}'s writes durable before its messages leave, as the runtime does; on a
   * lagging disk only the messages the protocol lets leave early go now, the rest with the
   * writes at the next {@link #fsync}.
   */
  private void write(int i, Ready ready) {
    Unsynced lag = unsynced[i];
    if (lag == null) {
      disks[i].apply(ready.writes());
    } else {
      lag.writes().addAll(ready.writes());
    }
    for (Ready.Outbound out : ready.messages()) {
      Msg msg = new Msg(i, out.to(), out.message());
      if (lag == null || nodes[i].mayLeaveBeforeDurable(out.message())) {
        queue.add(msg);
      } else {
        lag.held().add(msg);
      }
    }
  }

  /**
   * From now on replica {@code i}'s writes wait for {@link #fsync} (or are lost to a
   * {@link #powerLoss}); first it learns that what its disk holds now is durable, as the
   * runtime reports after each fsync, so its pre-prepares and prepares may leave early.
   */
  void lagDisk(int i) {
    unsynced[i] = new Unsynced(new ArrayList<>(), new ArrayList<>());
    List<LogEntry> held = disks[i].recovered().entries();
    if (!held.isEmpty()) {
      LogEntry last = held.get(held.size() - 1);
      nodes[i].step(new Input.Persisted(last.index(), last.term()));
    }
  }

  /** Replica {@code i}'s lagging disk forces what it was handed; the held messages leave. */
  void fsync(int i) {
    Unsynced lag = unsynced[i];
    disks[i].apply(lag.writes());
    Replica.lastAppended(lag.writes())
        .ifPresent(p -> nodes[i].step(new Input.Persisted(p.index(), p.term())));
    queue.addAll(lag.held());
    lag.writes().clear();
    lag.held().clear();
  }

  /**
   * Power fails at every replica: each loses what its disk had not forced (and the messages
   * waiting for it) and restarts from the rest, its disk keeping up from then on.
   */
  void powerLoss() {
    Arrays.fill(unsynced, null);
    for (int i = 0; i < nodes.length; i++) {
      restart(i);
    }
  }

  /**
   * Hands replica {@code i} the digest of its oldest captured checkpoint state, as the server's
   * digester thread does: computed and signed off the replica ({@link SnapshotData#digested}).
   */
  void releaseDigest(int i) {
    Held held = digests.get(i).poll();
    if (held == null) {
      throw new AssertionError("replica " + i + " has no captured state waiting for its digest");
    }
    byte[] sha = Digest.of(held.state()).bytes();
    SnapshotData digested = held.seal() == null ? SnapshotData.digested(held.state(), sha)
        : SnapshotData.digested(held.state(), sha, held.seal().sign(sha));
    List<CountedPin> taken = pins.get(i);
    SnapshotData counted = new SnapshotData() {
      @Override
      public long size() {
        return digested.size();
      }

      @Override
      public java.io.InputStream open() throws java.io.IOException {
        return digested.open();
      }

      @Override
      public byte[] sha256() {
        return digested.sha256();
      }

      @Override
      public byte[] seal() {
        return digested.seal();
      }

      @Override
      public Pin pin() {
        CountedPin pin = new CountedPin(digested);
        taken.add(pin);
        return pin;
      }
    };
    nodes[i].step(new Input.SnapshotTaken(held.position(), counted));
  }

  /** Hands every replica the digests of all its captured states, oldest first. */
  void releaseDigests() {
    for (int i = 0; i < nodes.length; i++) {
      while (!digests.get(i).isEmpty()) {
        releaseDigest(i);
      }
    }
  }

  /**
   * Replica {@code i} crashes (its memory and the messages on their way to it are lost) and
   * restarts from its disk; its executor restarts from the saved checkpoint state.
   */
  void restart(int i) {
    restart(i, disks[i].recovered());
  }

  /**
   * The same from what a damaged disk still gives ({@code recovered}: a prefix of what
   * {@link #disks} holds, with its damage); the disk then holds only that.
   */
  void restart(int i, io.lockstep.order.Recovered recovered) {
    restart(i, recovered, null);
  }

  /**
   * The same with the wipe check on when {@code seed} is not null, as the runtime builds a
   * replica ({@link WipeCheck}: a start with no hard state takes an incarnation from it).
   */
  void restart(int i, io.lockstep.order.Recovered recovered, Long seed) {
    rebuild(i, recovered, () -> Pbft.recover(configs[i], ThroughputPolicy.aardvark(),
        ConfigurationReader.FIXED, recovered, Pbft.Bug.NONE, seed));
  }

  /** The same from {@code recovered}, rebuilt with the deliberate fault {@code bug}. */
  void restartWith(int i, io.lockstep.order.Recovered recovered, Pbft.Bug bug) {
    rebuild(i, recovered, () -> Pbft.recover(configs[i], ThroughputPolicy.aardvark(),
        ConfigurationReader.FIXED, recovered, bug));
  }

  /**
   * Replica {@code i} crashes and restarts from its disk as the runtime builds it: through the
   * registered protocol, with the cluster file's {@code settings} (keys without the prefix) and
   * the wipe check on.
   */
  void restartThrough(int i, Map<String, String> settings) {
    io.lockstep.order.Recovered recovered = disks[i].recovered();
    io.lockstep.order.ProtocolSetup setup = new io.lockstep.order.ProtocolSetup(i,
        List.of(0, 1, 2, 3), io.lockstep.order.FailureModel.BYZANTINE, 1, settings,
        configs[i].signer());
    rebuild(i, recovered, () -> (Pbft) new PbftProtocol().create(setup, recovered, 17 + i));
    configs[i] = nodes[i].config;
  }

  private void rebuild(int i, io.lockstep.order.Recovered recovered,
      java.util.function.Supplier<Pbft> build) {
    queue.removeIf(m -> m.to() == i);
    digests.get(i).clear(); // the digester's work dies with the process
    disks[i] = TestDisk.of(recovered);
    nodes[i] = build.get();
    io.lockstep.order.Snapshot saved = recovered.snapshot();
    state[i] = saved == null ? new byte[0] : saved.state();
    applied.get(i).clear();
    nodes[i].step(new Input.Tick(now, 1_700_000_000_000L + now + clockOffset[i]));
  }

  private static byte[] concat(byte[] a, String b) {
    byte[] tail = b.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[a.length + tail.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(tail, 0, out, a.length, tail.length);
    return out;
  }

  /** Client requests (null batches left out) replica {@code i} applied, in order. */
  List<Request> requests(int i) {
    List<Request> out = new ArrayList<>();
    for (Ordered ordered : applied.get(i)) {
      if (ordered.request().kind() == Request.Kind.COMMAND) {
        out.add(ordered.request());
      }
    }
    return out;
  }
}
