package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.ClientId;
import io.lockstep.net.ClientAuth;
import io.lockstep.net.ClientConfig;
import io.lockstep.net.FrameClient;
import io.lockstep.net.FrameServer;
import io.lockstep.net.NetOptions;
import io.lockstep.net.ServerConfig;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import io.lockstep.server.wire.ClientMessage;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A leader that keeps its connection open but never answers must not make the forwarder leak. */
class LeaderForwarderTest {
  /** Records the busy answers it gets. */
  private static final class Recorder implements Origin {
    final List<String> busy = new CopyOnWriteArrayList<>();

    @Override
    public void replied(Reply reply) {}

    @Override
    public void readResult(QueryResult result) {}

    @Override
    public void redirect(int leaderHint, String leaderAddress, String reason) {}

    @Override
    public void busy(String reason) {
      busy.add(reason);
    }
  }

  @Test
  void questionsASilentLeaderNeverAnswersExpireAsBusyAndAreForgotten() throws Exception {
    NetOptions net = NetOptions.defaults().withIoThreads(1);
    AtomicInteger received = new AtomicInteger();
    try (FrameServer silent = FrameServer.start(new ServerConfig("test", "1",
        new InetSocketAddress("127.0.0.1", 0), ClientAuth.none(), net),
        (connection, payload) -> received.incrementAndGet())) {
      AtomicInteger expired = new AtomicInteger();
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", silent.port());
      try (LeaderForwarder forwarder = new LeaderForwarder(new FrameClient(
          ClientConfig.unauthenticated("test", "lockstep-replica-2", net)), id -> address, 200,
          expired::incrementAndGet)) {
        Recorder origin = new Recorder();
        for (int i = 1; i <= 50; i++) {
          Request request = Request.command(ClientId.of("c"), i, new byte[] {1});
          forwarder.forward(1, tag -> new ClientMessage.Submit(tag, request), origin);
        }
        long end = System.nanoTime() + 5_000_000_000L;
        while (received.get() < 50 && System.nanoTime() < end) {
          Thread.sleep(10);
        }
        assertThat(received.get()).as("the leader got them all").isEqualTo(50);
        assertThat(forwarder.pending()).isEqualTo(50);
        Thread.sleep(300);

        Request late = Request.command(ClientId.of("c"), 51, new byte[] {1});
        forwarder.forward(1, tag -> new ClientMessage.Submit(tag, late), origin);

        assertThat(forwarder.pending()).as("only the new question is left").isEqualTo(1);
        assertThat(origin.busy).hasSize(50)
            .allMatch(r -> r.contains("did not answer the forwarded question in time"));
        assertThat(expired.get()).isEqualTo(50);
      }
    }
  }
}
