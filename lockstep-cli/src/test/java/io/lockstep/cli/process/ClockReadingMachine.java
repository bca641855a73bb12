package io.lockstep.cli.process;

import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.StateMachine;
import java.nio.ByteBuffer;

/**
 * A user's state machine with the classic bug divergence detection exists for: it reads the
 * replica's own clock ({@code System.nanoTime()}) into its state, so replicas that apply the
 * same commands in the same order still end in different states. Its replies (a count) agree,
 * so clients notice nothing; only the state digests differ.
 */
public final class ClockReadingMachine implements StateMachine {
  private long count;
  private long lastSeen;

  @Override
  public byte[] apply(byte[] command, Context context) {
    count++;
    lastSeen = System.nanoTime();
    return ByteBuffer.allocate(8).putLong(count).array();
  }

  @Override
  public byte[] query(byte[] query, ClientId caller) {
    return ByteBuffer.allocate(8).putLong(count).array();
  }

  @Override
  public byte[] snapshot() {
    return ByteBuffer.allocate(16).putLong(count).putLong(lastSeen).array();
  }

  @Override
  public void restore(byte[] snapshot) {
    ByteBuffer in = ByteBuffer.wrap(snapshot);
    count = in.getLong();
    lastSeen = in.getLong();
  }
}
