package io.lockstep.server;

import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.StateMachine;
import java.nio.ByteBuffer;

/** A user's machine for tests: adds each 8-byte command to a total; the query reads it. */
public final class CounterMachine implements StateMachine {
  private long total;

  @Override
  public byte[] apply(byte[] command, Context context) {
    total += ByteBuffer.wrap(command).getLong();
    return query(command, context.client());
  }

  @Override
  public byte[] query(byte[] query, ClientId caller) {
    return ByteBuffer.allocate(8).putLong(total).array();
  }

  @Override
  public byte[] snapshot() {
    return query(null, null);
  }

  @Override
  public void restore(byte[] snapshot) {
    total = ByteBuffer.wrap(snapshot).getLong();
  }
}
