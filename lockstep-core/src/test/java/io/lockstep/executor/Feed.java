package io.lockstep.executor;

import io.lockstep.machine.ClientId;
import io.lockstep.order.Ordered;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;

/** Test helper: feeds an executor ordered requests at increasing positions. */
final class Feed {
  final Executor executor;
  final ScriptMachine machine;
  long position;
  final List<Reply> replies = new ArrayList<>();

  Feed(ExecutorConfig config) {
    this.machine = new ScriptMachine();
    this.executor = new Executor(machine, config);
  }

  Feed() {
    this(ExecutorConfig.defaults(0));
  }

  List<Reply> send(String client, long sequence, String script, long time) {
    return apply(Request.command(ClientId.of(client), sequence, ScriptMachine.cmd(script)), time);
  }

  List<Reply> tick(long time) {
    return apply(Request.nullRequest(ClientId.of("clock"), 1), time);
  }

  List<Reply> apply(Request request, long time) {
    List<Reply> out = executor.apply(new Ordered(++position, time, request));
    replies.addAll(out);
    return out;
  }
}
