package io.lockstep.executor;

import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.Rejection;
import io.lockstep.machine.StateMachine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A test state machine whose commands are UTF-8 scripts, and whose state is the journal of every
 * execution it saw (so digests reflect what ran, where and when):
 *
 * <ul>
 *   <li>{@code note:<text>} — records the note, outputs it;
 *   <li>{@code reject:<reason>} — throws a {@link Rejection};
 *   <li>{@code fail} — throws an {@link IllegalStateException};
 *   <li>{@code schedule:<delay>:<command>} — schedules the command for +delay;
 *   <li>{@code expect:<client>:<deadline>:<command>} — expects the client by the deadline;
 *   <li>{@code loop} — schedules itself again with delay 0, forever;
 *   <li>{@code random} — outputs the first long of the context's random stream.
 * </ul>
 */
final class ScriptMachine implements StateMachine {
  final List<String> journal = new ArrayList<>();
  int applyCalls;
  int loops;

  static byte[] cmd(String script) {
    return script.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] apply(byte[] command, Context ctx) {
    applyCalls++;
    String script = new String(command, StandardCharsets.UTF_8);
    String[] parts = script.split(":", 4);
    switch (parts[0]) {
      case "reject" -> throw new Rejection(parts[1]);
      case "fail" -> throw new IllegalStateException("boom");
      case "schedule" -> {
        ctx.schedule(cmd(script.substring(script.indexOf(':', 9) + 1)), Long.parseLong(parts[1]));
      }
      case "expect" -> ctx.expect(ClientId.of(parts[1]), Long.parseLong(parts[2]), cmd(parts[3]));
      case "loop" -> {
        loops++;
        ctx.schedule(command, 0);
        return command;
      }
      case "random" -> {
        return cmd(Long.toString(ctx.random().nextLong()));
      }
      default -> { }
    }
    journal.add(script + " by " + ctx.client() + " at " + ctx.position() + "/" + ctx.time()
        + (ctx.isTimeout() ? " timeout" : "") + (ctx.isDefault() ? " default" : ""));
    return command;
  }

  @Override
  public byte[] query(byte[] query, ClientId caller) {
    if (query.length == 0) {
      throw new Rejection("empty query");
    }
    return cmd(Integer.toString(journal.size()));
  }

  @Override
  public byte[] snapshot() {
    return cmd(String.join("\n", journal));
  }

  @Override
  public void restore(byte[] snapshot) {
    journal.clear();
    String text = new String(snapshot, StandardCharsets.UTF_8);
    if (!text.isEmpty()) {
      journal.addAll(List.of(text.split("\n")));
    }
  }

  /** Journal lines, without the position/time suffix, for order checks. */
  List<String> scripts() {
    List<String> out = new ArrayList<>();
    for (String line : journal) {
      out.add(line.substring(0, line.indexOf(" by ")));
    }
    return out;
  }
}
