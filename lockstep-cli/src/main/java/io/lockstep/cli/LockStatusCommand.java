package io.lockstep.cli;

import io.lockstep.client.LockClient;
import io.lockstep.server.lock.LockCodec;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lockstep lock status NAME}: the lock's holder, time granted and waiters. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    header = "Shows who holds a lock and who waits.",
    description = {
        "Shows who holds lock NAME and who waits for it.",
        "",
        "Prints the holder (a client id, or \"free\"), the agreed time of its grant",
        "(UTC) and how many clients wait. A linearizable read through the leader.",
        "",
        "Exit status: 0 answered, 1 the cluster did not answer, 2 usage error."})
public final class LockStatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Mixin ClientIdentity identity;

  @Parameters(index = "0", paramLabel = "NAME", description = "The lock's name.")
  String name;

  @Override
  public Integer call() {
    try (LockCommand.Connection connection = LockCommand.connect(cluster, identity, spec)) {
      LockClient locks = connection.locks();
      LockCodec.State state;
      try {
        state = locks.holder(name);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      out.print(describe(name, state));
      out.flush();
    }
    return 0;
  }

  /** The status lines for a lock's state. */
  static String describe(String name, LockCodec.State state) {
    boolean free = state.holder() == null;
    return String.format("lock     %s%nholder   %s%ngranted  %s%nwaiters  %d%n", name,
        free ? "free" : state.holder().value(),
        free ? "-" : Instant.ofEpochMilli(state.timeGranted()) + " (agreed time)",
        state.waiters());
  }
}
