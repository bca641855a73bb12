package io.lockstep.order.raft;

import io.lockstep.order.Input;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;

/** Helpers for tests that drive one {@link Raft} by hand. */
final class Nodes {
  static final List<Integer> THREE = List.of(1, 2, 3);

  private Nodes() {}

  /** A replica recovered with the given term and log (entry terms as given, times = index). */
  static Raft withLog(int self, long term, long... entryTerms) {
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 0; i < entryTerms.length; i++) {
      Request request = Request.command(Cluster.CLIENT, i + 1, new byte[] {(byte) i});
      entries.add(new LogEntry(i + 1, entryTerms[i], i + 1, request));
    }
    Raft raft = new Raft(RaftConfig.defaults(self, THREE),
        new Recovered(new TermAndVote(term, -1).toHardState(), null, entries), 7);
    raft.step(new Input.Tick(Cluster.EPOCH, Cluster.EPOCH));
    raft.ready();
    return raft;
  }

  /**
   * The hard state of a replica that has never voted and whose first start was already checked
   * against its peers' memory ({@link WipeCheck}): for tests of one replica driven by hand,
   * which has no peers to answer its probes.
   */
  static TermAndVote checkedFirstStart(int self) {
    return new TermAndVote(0, Raft.NONE, TermAndVote.NO_REPAIR, 0,
        new Incarnations(1000 + self, true, java.util.Map.of()));
  }

  /** Storage holding only {@link #checkedFirstStart}. */
  static Recovered checkedEmpty(int self) {
    return new Recovered(checkedFirstStart(self).toHardState(), null, List.of());
  }

  static Ready receive(Raft raft, int from, io.lockstep.order.ProtocolMessage message) {
    raft.step(new Input.Receive(from, message));
    return raft.ready();
  }

  /** The messages of {@code ready} of type {@code type}. */
  static <T extends RaftMessage> List<T> sent(Ready ready, Class<T> type) {
    return ready.messages().stream().map(Ready.Outbound::message).filter(type::isInstance)
        .map(type::cast).toList();
  }

  static <T extends RaftMessage> List<T> sentTo(Ready ready, int to, Class<T> type) {
    return ready.messages().stream().filter(o -> o.to() == to).map(Ready.Outbound::message)
        .filter(type::isInstance).map(type::cast).toList();
  }
}
