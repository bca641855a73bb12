package io.lockstep.client;

import static io.lockstep.client.ScriptedReplicas.answer;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.server.wire.ClientMessage;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Redis proxy in front of 3t+1 scripted replicas, one of which lies and one of which is
 * correct but behind: a plain RESP client over a socket gets the answer the correct replicas
 * agree on.
 */
class ByzantineProxyTest {
  /** An honest replica: "+OK" to writes, the value "good" to reads, read or ordered. */
  private static final ScriptedReplicas.Script HONEST = q -> List.of(answer(q,
      q instanceof ClientMessage.Submit s
          && !io.lockstep.redis.RedisOpCodec.decode(s.request().command()).readOnly()
          ? "+OK\r\n" : "$4\r\ngood\r\n", 0));
  /** A correct replica that has not yet applied the write: its unordered read answer is old. */
  private static final ScriptedReplicas.Script BEHIND = q -> List.of(answer(q,
      q instanceof ClientMessage.Submit s
          && !io.lockstep.redis.RedisOpCodec.decode(s.request().command()).readOnly()
          ? "+OK\r\n" : q instanceof ClientMessage.Submit ? "$4\r\ngood\r\n" : "$3\r\nold\r\n", 3));
  private static final ScriptedReplicas.Script LIAR = q -> List.of(answer(q,
      q instanceof ClientMessage.Submit ? "-ERR nope\r\n" : "$4\r\nevil\r\n", 1));

  @Test
  void aRespClientSeesWhatTheCorrectReplicasAgreeOnDespiteALiarAndAReplicaBehind()
      throws Exception {
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(1, LIAR, 2, HONEST, 3, HONEST,
        4, BEHIND));
        RedisProxy proxy = RedisProxy.start(
            replicas.options(1, Duration.ofMillis(500), Duration.ofSeconds(5)), "127.0.0.1", 0,
            null);
        Socket socket = new Socket("127.0.0.1", proxy.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readLine(in)).isEqualTo("+OK");
      out.write("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readLine(in)).isEqualTo("$4");
      assertThat(readLine(in)).isEqualTo("good");
      // Every replica, the liar included, was asked: the proxy votes, it does not pick one. With
      // one replica behind, the read had no 2t+1 matching answers and was ordered.
      replicas.received.values().forEach(log -> assertThat(log).isNotEmpty());
      assertThat(replicas.received.get(2)).anyMatch(m -> m instanceof ClientMessage.Submit s
          && io.lockstep.redis.RedisOpCodec.decode(s.request().command()).readOnly());
    }
  }

  private static String readLine(InputStream in) throws Exception {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new AssertionError("closed after " + line);
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }
}
