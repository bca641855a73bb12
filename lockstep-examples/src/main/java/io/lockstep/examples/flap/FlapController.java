package io.lockstep.examples.flap;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.Rejection;
import io.lockstep.machine.StateMachine;

/**
 * The replicated state machine behind the paper's flap (§4): it holds the commanded flap angle,
 * and every accepted {@code set} outputs the angle the actuators must take. The output leaves
 * the system (it moves a physical surface), so no client votes on it; the actuators do (see
 * {@link FlapActuator}).
 *
 * <p>Angles are in tenths of a degree within {@link #MIN_ANGLE}..{@link #MAX_ANGLE}; an angle
 * outside is refused before anything changes, so a faulty client cannot drive the surface past
 * its stops (paper §5.2, defensive programming).
 */
public final class FlapController implements StateMachine {
  /** Fully retracted, in tenths of a degree. */
  public static final int MIN_ANGLE = 0;
  /** Fully extended, in tenths of a degree. */
  public static final int MAX_ANGLE = 400;

  private static final int SNAPSHOT_VERSION = 1;
  private int angle = MIN_ANGLE;

  @Override
  public byte[] apply(byte[] command, Context context) {
    int wanted = FlapCodec.decodeSet(command);
    if (wanted < MIN_ANGLE || wanted > MAX_ANGLE) {
      throw new Rejection("flap angle " + wanted + " is outside " + MIN_ANGLE + ".." + MAX_ANGLE);
    }
    angle = wanted;
    return FlapCodec.encodeAngle(angle);
  }

  /** Any query reads the commanded angle. */
  @Override
  public byte[] query(byte[] query, ClientId caller) {
    return FlapCodec.encodeAngle(angle);
  }

  @Override
  public byte[] snapshot() {
    return new WireWriter().writeByte(SNAPSHOT_VERSION).writeInt(angle).toByteArray();
  }

  @Override
  public void restore(byte[] snapshot) {
    WireReader in = new WireReader(snapshot, "flap snapshot");
    if (in.readByte() != SNAPSHOT_VERSION) {
      throw in.malformed("unsupported snapshot version");
    }
    int restored = in.readInt();
    in.end();
    if (restored < MIN_ANGLE || restored > MAX_ANGLE) {
      throw in.malformed("angle " + restored + " is outside the flap's range");
    }
    angle = restored;
  }
}
