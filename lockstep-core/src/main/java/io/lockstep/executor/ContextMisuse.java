package io.lockstep.executor;

/**
 * A state machine called its {@link io.lockstep.machine.Context} with an argument Lockstep
 * refuses (a negative delay, an oversized scheduled command). Its message is Lockstep's own
 * text built from the arguments only, so unlike other exceptions' messages it is the same on
 * every replica and may go into the refused request's replicated reply.
 */
final class ContextMisuse extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  ContextMisuse(String message) {
    super(message);
  }
}
