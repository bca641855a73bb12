package io.lockstep.executor;

import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;

/** Test helper: copies of a replicated client's logical request (paper §5.1). */
final class SensorCopies {
  private SensorCopies() {}

  static Request copy(String client, long sequence, String from, String command) {
    return new Request(ClientId.of(client), sequence, Request.Kind.COMMAND,
        command.getBytes(StandardCharsets.UTF_8), ClientId.of(from));
  }
}
