package io.lockstep.examples.flap;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.DeviceGate;
import io.lockstep.machine.ClientId;
import io.lockstep.order.FailureModel;
import io.lockstep.request.Reply;
import io.lockstep.voter.Voter;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * A correct flap actuator: an output device outside the system with its own voter (paper §4,
 * S15). Every replica sends it its output for each {@code set}; the device moves only once its
 * voter decides: on t+1 identical outputs from distinct replicas (Byzantine, so at least one came
 * from a correct replica) or on the first output (fail-stop, where replicas never lie). Voting in
 * the device, not in one shared voter, is the point: a shared voter would be a single point of
 * failure between the replicas and the surface.
 *
 * <p>The flap angle is a level, not an event: a later output supersedes an earlier one, so an
 * output decided after a later one was acted on is dropped. Replies that cannot be the
 * controller's outputs (another client's, an unknown replica's, too far ahead) are dropped with
 * a logged reason and counted; they never move the device.
 *
 * <p>The device is in the cluster's configuration (paper §7) as {@code flap-<device>}: once
 * removed it acts on no output from its removal's stated position on. It learns of the removal
 * as clients do: a reply whose configuration version is newer than the one it holds makes
 * {@link #wantsConfiguration()} true, and the configuration it then polls goes to
 * {@link #learn}. Not thread-safe.
 */
public final class FlapActuator implements Actuator {
  /** Outputs further ahead of the last acted-on one than this are dropped, bounding the voters. */
  public static final int WINDOW = 1024;

  private static final System.Logger LOG = System.getLogger(FlapActuator.class.getName());

  private final int device;
  private final ClientId controller;
  private final FailureModel model;
  private final int t;
  private final int replicas;
  /** Open votes, by the sequence number of the {@code set} they are for. */
  private final TreeMap<Long, Voter> voters = new TreeMap<>();
  private long actedOn;
  private OptionalInt position = OptionalInt.empty();
  private long dropped;
  private final DeviceGate gate;
  private long newestVersion;

  /**
   * @param device this device's number
   * @param controller the client whose {@code set} requests drive the flap
   * @param model the replicas' failure model
   * @param t the number of faulty replicas tolerated
   * @param replicas the number of replicas (their ids are 0..replicas-1)
   */
  public FlapActuator(int device, ClientId controller, FailureModel model, int t, int replicas) {
    this.device = device;
    this.controller = Objects.requireNonNull(controller, "controller");
    this.model = Objects.requireNonNull(model, "model");
    int needed = model == FailureModel.BYZANTINE ? 2 * t + 1 : t + 1;
    if (t < 0 || replicas < needed) {
      throw new IllegalArgumentException(replicas + " replicas cannot mask " + t + " "
          + model + " faults: " + model + " needs at least " + needed);
    }
    this.t = t;
    this.replicas = replicas;
    this.gate = new DeviceGate(name(device));
  }

  /** The name of device {@code device} in the cluster's configuration. */
  public static String name(int device) {
    return "flap-" + device;
  }

  /** True if a reply said the configuration changed since the one this device holds. */
  public boolean wantsConfiguration() {
    return gate.shouldPoll(newestVersion);
  }

  /** Takes the configuration this device polled. */
  public void learn(ClusterConfiguration configuration) {
    gate.learn(configuration);
  }

  /** Counts one replica's output; moves the device if this decides a newer {@code set}. */
  public void receive(Reply reply) {
    Objects.requireNonNull(reply, "reply");
    String refusal = refusal(reply);
    if (refusal != null) {
      dropped++;
      LOG.log(System.Logger.Level.DEBUG, "actuator {0} dropped a reply from replica {1}: {2}",
          device, reply.replica(), refusal);
      return;
    }
    newestVersion = Math.max(newestVersion, reply.configVersion());
    Voter voter = voters.computeIfAbsent(reply.sequence(), s -> new Voter(model, t));
    voter.offer(reply).ifPresent(this::actOn);
  }

  private String refusal(Reply reply) {
    if (!reply.client().equals(controller)) {
      return "not an output of the flap controller " + controller + " but of " + reply.client();
    }
    if (reply.replica() < 0 || reply.replica() >= replicas) {
      return "no replica " + reply.replica() + " among " + replicas;
    }
    if (reply.sequence() <= actedOn) {
      return "set " + reply.sequence() + " is not after the acted-on set " + actedOn;
    }
    if (reply.sequence() - actedOn > WINDOW) {
      return "set " + reply.sequence() + " is more than " + WINDOW + " ahead of " + actedOn;
    }
    return null;
  }

  private void actOn(Reply decided) {
    actedOn = decided.sequence();
    voters.headMap(actedOn, true).clear();
    if (decided.status() != Reply.Status.OK) {
      return; // the replicas refused this set: the flap stays where it is
    }
    if (!gate.mayActuate(decided.position())) {
      dropped++;
      LOG.log(System.Logger.Level.INFO, "actuator {0} is removed from the configuration from"
          + " position {1}: it does not act on set {2}", device, gate.removedFrom().orElse(0L),
          actedOn);
      return;
    }
    OptionalInt angle = FlapCodec.decodeAngle(decided.value());
    if (angle.isEmpty()) {
      dropped++;
      LOG.log(System.Logger.Level.WARNING, "actuator {0}: decided output of set {1} is not an"
          + " angle; the device stays at {2}", device, actedOn, position);
      return;
    }
    position = angle;
  }

  @Override
  public int device() {
    return device;
  }

  @Override
  public OptionalInt position() {
    return position;
  }

  /** The sequence number of the last {@code set} this device acted on (0 before any). */
  public long actedOn() {
    return actedOn;
  }

  /**
   * How many replies this device dropped uncounted: not the controller's, from no known replica,
   * too far ahead, or for a {@code set} it already acted on (the rest of a decided vote).
   */
  public long dropped() {
    return dropped;
  }

  /** Open votes, for tests of the bound. */
  int openVotes() {
    return voters.size();
  }
}
