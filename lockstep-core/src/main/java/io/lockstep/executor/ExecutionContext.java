package io.lockstep.executor;

import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.Rejection;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The {@link Context} of one command execution. Requests the command schedules or expects are
 * collected here and only handed to the executor's {@link Timers} if the command completes: a
 * refused or failed command leaves no time-outs behind (paper §5.2: a refused request changes
 * nothing).
 */
final class ExecutionContext implements Context {
  private final long time;
  private final ClientId client;
  private final long position;
  private final int subIndex;
  private final Scheduled.Kind runningAs;
  private final int room;
  private final List<Scheduled> created = new ArrayList<>();
  private SplittableRandom random;

  /**
   * @param subIndex distinguishes several executions at one position (0 for the request itself,
   *     1, 2… for the time-outs and defaults fired before it), so each gets its own random stream
   * @param runningAs the kind of scheduled request being run, or null for a client's request
   * @param room how many more scheduled requests may be created before the bound is reached
   */
  ExecutionContext(long time, ClientId client, long position, int subIndex,
      Scheduled.Kind runningAs, int room) {
    this.time = time;
    this.client = client;
    this.position = position;
    this.subIndex = subIndex;
    this.runningAs = runningAs;
    this.room = room;
  }

  @Override
  public long time() {
    return time;
  }

  @Override
  public ClientId client() {
    return client;
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public RandomGenerator random() {
    if (random == null) {
      // Seeded from the position and sub-index only: the same stream on every replica.
      random = new SplittableRandom(position * 0x9E3779B97F4A7C15L + subIndex);
    }
    return random;
  }

  @Override
  public void schedule(byte[] command, long delayMillis) {
    checkCommand(command);
    if (delayMillis < 0) {
      throw new ContextMisuse("delay must not be negative, was " + delayMillis);
    }
    create(due(delayMillis), Scheduled.Kind.TIMEOUT, client, command);
  }

  @Override
  public void expect(ClientId expected, long deadline, byte[] defaultCommand) {
    Objects.requireNonNull(expected, "client");
    checkCommand(defaultCommand);
    create(deadline, Scheduled.Kind.DEFAULT, expected, defaultCommand);
  }

  @Override
  public boolean isTimeout() {
    return runningAs == Scheduled.Kind.TIMEOUT;
  }

  @Override
  public boolean isDefault() {
    return runningAs == Scheduled.Kind.DEFAULT;
  }

  /** The requests created by the command, in creation order. */
  List<Scheduled> created() {
    return created;
  }

  private long due(long delayMillis) {
    try {
      return Math.addExact(time, delayMillis);
    } catch (ArithmeticException e) {
      throw new ContextMisuse("time " + time + " + delay " + delayMillis + " overflows");
    }
  }

  private void create(long due, Scheduled.Kind kind, ClientId caller, byte[] command) {
    if (created.size() >= room) {
      throw new Rejection("too many scheduled requests: the limit is " + Timers.MAX_SCHEDULED);
    }
    // The creation number is assigned when the executor adopts the request.
    created.add(new Scheduled(due, created.size(), kind, caller, command.clone()));
  }

  private static void checkCommand(byte[] command) {
    Objects.requireNonNull(command, "command");
    if (command.length > Request.MAX_COMMAND_BYTES) {
      throw new ContextMisuse("scheduled command is " + command.length
          + " bytes, the limit is " + Request.MAX_COMMAND_BYTES);
    }
  }
}
