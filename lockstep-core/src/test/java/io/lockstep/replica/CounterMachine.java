package io.lockstep.replica;

import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.Rejection;
import io.lockstep.machine.StateMachine;
import java.nio.charset.StandardCharsets;

/**
 * A counter for Replica tests: {@code inc} adds one; {@code later} schedules {@code inc} for
 * +100 ms; queries return the count, and the query {@code bad} is refused.
 */
final class CounterMachine implements StateMachine {
  long count;

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] apply(byte[] command, Context context) {
    String c = new String(command, StandardCharsets.UTF_8);
    if (c.equals("later")) {
      context.schedule(utf8("inc"), 100);
    } else {
      count++;
    }
    return utf8(Long.toString(count));
  }

  @Override
  public byte[] query(byte[] query, ClientId caller) {
    if (new String(query, StandardCharsets.UTF_8).equals("bad")) {
      throw new Rejection("bad query");
    }
    return utf8(Long.toString(count));
  }

  @Override
  public byte[] snapshot() {
    return utf8(Long.toString(count));
  }

  @Override
  public void restore(byte[] snapshot) {
    count = Long.parseLong(new String(snapshot, StandardCharsets.UTF_8));
  }
}
