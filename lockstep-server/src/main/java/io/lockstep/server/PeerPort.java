package io.lockstep.server;

import io.lockstep.net.PeerNetwork;
import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.replica.Checkpoint;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.wire.PeerEnvelope;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.function.Supplier;

/**
 * What arrives on the peer port, and what the runtime itself sends there besides the protocol's
 * messages: a protocol message goes to the loop (through {@link SignatureIntake} when signatures
 * are checked ahead), relayed client requests through {@link RequestRelay}'s check to the loop,
 * a checkpoint digest to divergence detection, and clock probes and echoes to
 * the {@link AssumptionWatch}; the loop's own checkpoint digests and this replica's clock probes
 * go out to every peer.
 *
 * <p>Separate from {@link ReplicaServer} because this is the peer channel's traffic, told apart
 * by {@link PeerEnvelope}'s channel byte and handled on I/O and timer threads, while the server
 * only wires the parts together and owns their lifetimes.
 */
final class PeerPort {
  /** Logged under the server's name: operators filter these events by it. */
  private static final System.Logger LOG = System.getLogger(ReplicaServer.class.getName());

  private final ClusterConfig config;
  private final int id;
  private final ProtocolCodec codec;
  private final ReplicaLoop loop;
  private final SignatureIntake intake;
  private final boolean precheck =
      SignatureIntake.enabled(System.getenv("LOCKSTEP_SIGNATURE_PRECHECK"));
  private final DivergenceMonitor divergence;
  private final AssumptionWatch timing;
  private final ServerMetrics metrics;
  private final Supplier<PeerNetwork> network;
  private final Supplier<List<Integer>> replicas;
  private final RequestRelay relay;

  /**
   * @param network the peer network, read at each use: it starts with this port as its handler,
   *     so it does not exist yet when this is built (null until then)
   * @param replicas every replica to send digests and probes to, read at each send: the file's
   *     and those the replicated configuration records ({@link AddressBook#listed}), so a
   *     machine added by its addresses is compared and probed like a listed one
   */
  PeerPort(ClusterConfig config, int id, ProtocolCodec codec, ReplicaLoop loop,
      SignatureIntake intake, DivergenceMonitor divergence, AssumptionWatch timing,
      ServerMetrics metrics, Supplier<PeerNetwork> network, Supplier<List<Integer>> replicas,
      RequestRelay relay) {
    this.config = config;
    this.id = id;
    this.codec = codec;
    this.loop = loop;
    this.intake = intake;
    this.divergence = divergence;
    this.timing = timing;
    this.metrics = metrics;
    this.network = network;
    this.replicas = replicas;
    this.relay = relay;
  }

  /**
   * A payload from another replica: a protocol message goes to the loop, a checkpoint digest to
   * divergence detection (which needs no loop step, so a full loop queue cannot drop it).
   */
  void onPeer(int from, byte[] payload) {
    try {
      handle(from, PeerEnvelope.decode(payload));
    } catch (RuntimeException e) { // untrusted bytes: any failure to decode means malformed
      metrics.peerDropped("undecodable");
      LOG.log(Level.WARNING, "event=peer_message_dropped from=" + from + " reason=\""
          + e.getMessage() + "\"");
    }
  }

  private void handle(int from, PeerEnvelope.Payload decoded) {
    if (decoded instanceof PeerEnvelope.Payload.Protocol p) {
      ProtocolMessage message = codec.decode(p.message());
      if (precheck) {
        intake.offer(from, message);
      } else {
        loop.offerPeer(from, message);
      }
    } else if (decoded instanceof PeerEnvelope.Payload.Relayed r) {
      if (relay == null) {
        metrics.peerDropped("relay: this replica takes no relayed requests");
      } else {
        relay.received(from, r, loop::offerRelayed);
      }
      if (r.then() != null) {
        handle(from, r.then()); // the message they rode with, after them (never nested)
      }
    } else if (decoded instanceof PeerEnvelope.Payload.CheckpointDigest d) {
      divergence.remote(from, d.checkpoint());
    } else if (decoded instanceof PeerEnvelope.Payload.ClockProbe p && network.get() != null) {
      network.get().send(from, AssumptionWatch.echo(p.sentAt(), wallClock()));
    } else if (decoded instanceof PeerEnvelope.Payload.ClockEcho e) {
      timing.echoed(from, e.sentAt(), e.receivedAt(), wallClock());
    }
  }

  /**
   * The loop recorded a digest of this replica's state: compare it with the peers' and send it
   * to each of them (one small message per digest interval; a dropped one only skips a
   * comparison, the next checkpoint compares again).
   */
  void checkpointed(Checkpoint checkpoint) {
    divergence.local(checkpoint);
    byte[] payload = PeerEnvelope.checkpoint(checkpoint);
    for (int peer : replicas.get()) {
      if (peer != id && !network.get().send(peer, payload)) {
        metrics.peerDropped("send queue full or peer down");
      }
    }
  }

  /** Sends every peer a clock probe (timer thread; see {@link AssumptionWatch}). */
  void probeClocks() {
    byte[] probe = AssumptionWatch.probe(wallClock());
    for (int peer : replicas.get()) {
      if (peer != id) {
        network.get().send(peer, probe); // a lost probe only skips one sample
      }
    }
  }

  /** This replica's wall clock as its protocol sees it (shifted only by the test-only key). */
  private long wallClock() {
    return System.currentTimeMillis() + config.testClockOffset(id);
  }
}
