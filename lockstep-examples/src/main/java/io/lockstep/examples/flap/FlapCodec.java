package io.lockstep.examples.flap;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.machine.Rejection;
import java.util.OptionalInt;

/** Wire forms of the flap's command ({@code set angle}) and output (an angle). */
public final class FlapCodec {
  private static final int SET = 1;

  private FlapCodec() {}

  /** The command that sets the flap to {@code angle} tenths of a degree. */
  public static byte[] set(int angle) {
    return new WireWriter().writeByte(SET).writeInt(angle).toByteArray();
  }

  /** Decodes a {@code set}; a malformed command is refused before anything changes. */
  static int decodeSet(byte[] command) {
    try {
      WireReader in = new WireReader(command, "flap command");
      if (in.readByte() != SET) {
        throw in.malformed("unknown operation");
      }
      int angle = in.readInt();
      in.end();
      return angle;
    } catch (IllegalArgumentException e) {
      throw new Rejection("malformed flap command: " + e.getMessage());
    }
  }

  /** An output: the angle the actuators must take. */
  public static byte[] encodeAngle(int angle) {
    return new WireWriter().writeInt(angle).toByteArray();
  }

  /** Decodes an output, or empty if it is not one (a faulty replica may send anything). */
  public static OptionalInt decodeAngle(byte[] output) {
    if (output.length != Integer.BYTES) {
      return OptionalInt.empty();
    }
    WireReader in = new WireReader(output, "flap output");
    return OptionalInt.of(in.readInt());
  }
}
