package io.lockstep.examples.flap;

import io.lockstep.machine.ClientId;
import io.lockstep.order.FailureModel;
import io.lockstep.request.Reply;
import io.lockstep.voter.Voter;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The external reader of the replicated actuators (paper §4: "the external reader takes the last
 * vote"). For the flap this is the surface itself, which several actuators push together: it
 * ends where t+1 of 2t+1 devices agree (Byzantine; t faulty devices are outvoted) or where the
 * first working device puts it (fail-stop, t+1 devices; a failed device stops pushing).
 *
 * <p>The vote is the same {@link Voter} the clients use, with one vote per device in place of one
 * per replica.
 */
public final class FlapSurface {
  private static final ClientId SURFACE = ClientId.of("flap-surface");

  private final FailureModel model;
  private final int t;

  /**
   * @param model the devices' failure model
   * @param t the number of faulty devices tolerated
   */
  public FlapSurface(FailureModel model, int t) {
    this.model = Objects.requireNonNull(model, "model");
    if (t < 0) {
      throw new IllegalArgumentException("t must not be negative, was " + t);
    }
    this.t = t;
  }

  /**
   * Takes the last vote among {@code devices}.
   *
   * @return the surface's angle, or empty while no angle has a deciding vote
   * @throws IllegalArgumentException if there are too few devices to mask t faults, or two share
   *     a number
   */
  public OptionalInt read(List<? extends Actuator> devices) {
    int needed = model == FailureModel.BYZANTINE ? 2 * t + 1 : t + 1;
    if (devices.size() < needed) {
      throw new IllegalArgumentException(devices.size() + " output devices cannot mask " + t
          + " " + model + " faults: " + model + " needs at least " + needed);
    }
    Set<Integer> numbers = new HashSet<>();
    Voter voter = new Voter(model, t);
    for (Actuator device : devices) {
      if (!numbers.add(device.device())) {
        throw new IllegalArgumentException("two output devices are numbered " + device.device());
      }
      OptionalInt position = device.position();
      if (position.isPresent()) {
        byte[] angle = FlapCodec.encodeAngle(position.getAsInt());
        voter.offer(new Reply(SURFACE, 0, Reply.Status.OK, angle, "", 0, device.device()));
      }
    }
    return voter.decision()
        .map(reply -> FlapCodec.decodeAngle(reply.value()))
        .orElse(OptionalInt.empty());
  }
}
