package io.lockstep.executor;

import io.lockstep.machine.ClientId;
import io.lockstep.machine.Rejection;
import io.lockstep.machine.StateMachine;
import java.util.Optional;

/**
 * Calls the user's code, the {@link StateMachine} and the {@link ExecutorConfig#authorizer()},
 * and turns whatever it throws into a deterministic refusal (paper §5.2, S17: defensive
 * programming). Separate from {@link Executor} because this is the one boundary where foreign
 * code runs: everything that guards against it (catching, logging the real exception, keeping
 * only replica-independent text) sits in one place, while the executor keeps the order, sessions
 * and configuration. Not thread-safe: owned by its executor.
 */
final class CommandRunner {
  /** The executor's logger name, so operators find these lines where they always were. */
  private static final System.Logger LOG = System.getLogger(Executor.class.getName());

  private final StateMachine machine;
  private final ExecutorConfig config;
  private final Timers timers;

  CommandRunner(StateMachine machine, ExecutorConfig config, Timers timers) {
    this.machine = machine;
    this.config = config;
    this.timers = timers;
  }

  /**
   * Runs user code; only a command that completes leaves scheduled requests behind. A
   * {@link Rejection}'s message is the state machine's own deterministic text, and so is a
   * {@link ContextMisuse}'s (Lockstep's); any other exception becomes
   * {@link Executor#COMMAND_FAILED} (see there why not its message).
   */
  Outcome run(byte[] command, ExecutionContext context) {
    byte[] out;
    try {
      out = machine.apply(command.clone(), context);
    } catch (Rejection r) {
      return new Outcome(null, r.getMessage() == null ? "rejected" : r.getMessage(), null);
    } catch (ContextMisuse e) {
      return new Outcome(null, "command failed: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      return new Outcome(null, Executor.COMMAND_FAILED, e);
    }
    for (Scheduled s : context.created()) {
      timers.add(s.due(), s.kind(), s.client(), s.command());
    }
    return new Outcome(out == null ? new byte[0] : out.clone(), null, null);
  }

  /**
   * The authorizer's refusal of {@code command}, if any; an authorizer that throws refuses with
   * {@link Executor#AUTHORIZER_FAILED}. {@code position} is only for the log line.
   */
  Optional<String> authorize(ClientId client, byte[] command, long position) {
    try {
      Optional<String> refusal = config.authorizer().refuse(client, command.clone());
      return refusal == null ? Optional.empty() : refusal;
    } catch (RuntimeException e) {
      logFailure("authorizer", client, -1, position, e);
      return Optional.of(Executor.AUTHORIZER_FAILED);
    }
  }

  /**
   * The real exception of a failed command, for the operator: logged here, never replicated.
   * Logging is an output only; nothing read back from it reaches the state (paper §1).
   */
  static void logFailure(String what, ClientId client, long sequence, long position,
      RuntimeException e) {
    LOG.log(System.Logger.Level.WARNING, "event=" + what + "_failed client=" + client
        + " sequence=" + sequence + " position=" + position + " exception="
        + e.getClass().getName(), e);
  }

  /** A command's output, or why it was refused (and the exception, if one was thrown). */
  record Outcome(byte[] value, String refusal, RuntimeException failure) {}
}
