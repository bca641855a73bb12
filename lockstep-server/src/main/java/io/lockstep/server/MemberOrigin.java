package io.lockstep.server;

/**
 * Where the answer to one operator's membership command goes (a client-port connection, or a
 * test). Called on the loop thread; implementations only enqueue.
 */
interface MemberOrigin {
  /** The command is done ({@code ok}) or refused; {@code text} says why and shows the result. */
  void answered(boolean ok, String text);

  /** This replica does not lead: ask the leader (nothing was changed). */
  void redirect(int leaderHint, String leaderAddress, String reason);
}
