package io.lockstep.order.pbft;

import io.lockstep.configuration.ConfigurationCodec;
import io.lockstep.configuration.ConfigurationRefusal;
import io.lockstep.configuration.Reconfiguration;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.configuration.SystemCommands;
import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import io.lockstep.machine.ClientId;
import io.lockstep.order.Input;
import io.lockstep.order.Ordered;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Ready;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.function.UnaryOperator;

/**
 * A scripted cluster of four PBFT replicas and one spare (replica 4) whose stand-in executors
 * keep, besides a hash chain of what they applied, the executor's real replicated
 * configuration ({@link Reconfiguration}): a {@code SetReplicas} from {@code lockstep:admin}
 * is ordered like any request and reaches the protocol through the checkpointed state, as in
 * the runtime. Messages to or from an isolated replica are lost.
 */
final class MemberNet {
  static final int REPLICAS = 5;
  private static final Map<Integer, Signer> SIGNERS = Ed25519Signer.signers(
      Ed25519Signer.seededKeyPairs(List.of(0, 1, 2, 3, 4), 11));

  /** One message in flight. */
  record Msg(int from, int to, ProtocolMessage message) {}

  final Pbft[] nodes = new Pbft[REPLICAS];
  final PbftConfig[] configs = new PbftConfig[REPLICAS];
  final Reconfiguration[] executors = new Reconfiguration[REPLICAS];
  final byte[][] chains = new byte[REPLICAS][];
  final TestDisk[] disks = new TestDisk[REPLICAS];
  final List<List<Ordered>> applied = new ArrayList<>();
  final Set<Integer> isolated = new HashSet<>();
  /** Rewrites a message in flight (a lying replica) or drops it (null); the identity by default. */
  UnaryOperator<Msg> filter = UnaryOperator.identity();
  final ArrayDeque<Msg> queue = new ArrayDeque<>();
  final long distance;
  long now = 1_000;
  private long nextSequence = 1;
  private long nextAdmin = 1;

  MemberNet(UnaryOperator<PbftConfig> tune, MembershipSchedule.Rule rule) {
    List<Integer> members = List.of(0, 1, 2, 3);
    for (int i = 0; i < REPLICAS; i++) {
      configs[i] = tune.apply(PbftConfig.defaults(i, members, 1, SIGNERS.get(i)));
      nodes[i] = new Pbft(configs[i], ThroughputPolicy.off(), MemberNet::configurationOf);
      nodes[i].membership.rule = rule;
      executors[i] = new Reconfiguration();
      chains[i] = new byte[32];
      disks[i] = new TestDisk();
      applied.add(new ArrayList<>());
    }
    distance = MembershipSchedule.requiredDistance(configs[0]);
    tick(0);
  }

  /** The stand-in executor's state: the 32-byte chain, then the encoded configuration. */
  static io.lockstep.configuration.ClusterConfiguration configurationOf(
      io.lockstep.order.SnapshotData data) {
    byte[] state = data.toByteArray();
    return ConfigurationCodec.decode(Arrays.copyOfRange(state, 32, state.length));
  }

  private byte[] state(int i) {
    byte[] config = ConfigurationCodec.encode(executors[i].current());
    byte[] out = Arrays.copyOf(chains[i], 32 + config.length);
    System.arraycopy(config, 0, out, 32, config.length);
    return out;
  }

  /** A fresh request from client "c", sent to every replica that is not isolated. */
  Request write() {
    Request r = Request.command(ClientId.of("c"), nextSequence++,
        ("op" + nextSequence).getBytes(StandardCharsets.UTF_8));
    send(r);
    return r;
  }

  /** The operator asks, as {@code lockstep:admin}, for the replica set {@code replicas}. */
  Request setReplicas(SortedSet<Integer> replicas) {
    Request r = Request.command(SystemCommands.ADMIN, nextAdmin++,
        SystemCommands.encode(new SystemCommand.SetReplicas(replicas, 0)));
    send(r);
    return r;
  }

  private void send(Request r) {
    for (int i = 0; i < REPLICAS; i++) {
      if (!isolated.contains(i)) {
        nodes[i].step(new Input.Propose(r));
      }
    }
  }

  void tick(long millis) {
    now += millis;
    for (Pbft node : nodes) {
      node.step(new Input.Tick(now, 1_700_000_000_000L + now));
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
      for (int i = 0; i < REPLICAS; i++) {
        drain(i);
      }
      if (queue.isEmpty()) {
        return;
      }
      while (!queue.isEmpty()) {
        Msg m = filter.apply(queue.poll());
        if (m != null && !isolated.contains(m.from()) && !isolated.contains(m.to())) {
          nodes[m.to()].step(new Input.Receive(m.from(), m.message()));
        }
      }
    }
    throw new AssertionError("the cluster never went quiet");
  }

  private void drain(int i) {
    for (int k = 0; k < 10_000; k++) {
      Ready ready = nodes[i].ready();
      if (ready.isEmpty()) {
        return;
      }
      disks[i].apply(ready.writes()); // durable before the messages leave, as the runtime does
      for (Ready.Outbound out : ready.messages()) {
        queue.add(new Msg(i, out.to(), out.message()));
      }
      if (ready.install() != null) {
        byte[] s = ready.install().state();
        chains[i] = Arrays.copyOf(s, 32);
        executors[i].reset(configurationOf(ready.install().data()));
        applied.get(i).clear();
      }
      ready.stable().forEach(o -> apply(i, o));
      if (nodes[i].wantsSnapshot()) {
        nodes[i].step(new Input.SnapshotTaken(0, state(i)));
      }
    }
    throw new AssertionError("replica " + i + " never quiesced");
  }

  /**
   * Replica {@code i} crashes (its memory and the messages on their way to it are lost) and
   * restarts from its disk; its executor restarts from the saved checkpoint state.
   */
  void restart(int i) {
    queue.removeIf(m -> m.to() == i);
    io.lockstep.order.Recovered recovered = disks[i].recovered();
    nodes[i] = Pbft.recover(configs[i], ThroughputPolicy.off(), MemberNet::configurationOf,
        recovered);
    byte[] saved = recovered.snapshot().state();
    chains[i] = Arrays.copyOf(saved, 32);
    executors[i].reset(configurationOf(recovered.snapshot().data()));
    applied.get(i).clear();
    nodes[i].step(new Input.Tick(now, 1_700_000_000_000L + now));
  }

  /** The stand-in executor: configuration changes first, then the request, then the chain. */
  private void apply(int i, Ordered o) {
    executors[i].takeEffect(o.position());
    if (SystemCommands.isAdmin(o.request().client())) {
      try {
        executors[i].order(SystemCommands.decode(o.request().command()), o.position(), distance);
      } catch (ConfigurationRefusal e) {
        // refused alike on every replica: the state does not change
      }
    }
    applied.get(i).add(o);
    byte[] tail = o.toString().getBytes(StandardCharsets.UTF_8);
    byte[] in = Arrays.copyOf(chains[i], 32 + tail.length);
    System.arraycopy(tail, 0, in, 32, tail.length);
    chains[i] = Digest.of(in).bytes();
  }

  /** Client requests replica {@code i} applied since its last state install, in order. */
  List<Request> requests(int i) {
    List<Request> out = new ArrayList<>();
    for (Ordered o : applied.get(i)) {
      if (o.request().kind() == Request.Kind.COMMAND) {
        out.add(o.request());
      }
    }
    return out;
  }
}
