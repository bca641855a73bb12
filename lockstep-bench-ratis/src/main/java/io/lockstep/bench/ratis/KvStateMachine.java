package io.lockstep.bench.ratis;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The in-memory key-value state machine Ratis replicates in the benchmark: the same commands as
 * Lockstep's example key-value machine (put, compare-and-set, get) on a hash map.
 *
 * <p>Ratis calls {@link #applyTransaction} for committed log entries one at a time in log order,
 * and {@link #query} for reads on the leader after its read-index check (when the
 * {@code LINEARIZABLE} read option is set). Reads and applies run on different Ratis threads, so
 * the map is concurrent. Snapshots are not taken (Ratis's default never triggers one), so the log
 * alone is the durable state, as for Lockstep's benchmark.
 */
public final class KvStateMachine extends BaseStateMachine {

  private final Map<String, byte[]> values = new ConcurrentHashMap<>();

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    ByteString answer;
    try {
      answer = apply(KvCommand.decode(entry.getStateMachineLogEntry().getLogData()));
    } catch (IllegalArgumentException e) {
      // A malformed command is rejected with its reason, but its log position is still applied.
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
      return CompletableFuture.failedFuture(e);
    }
    updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    return CompletableFuture.completedFuture(Message.valueOf(answer));
  }

  private ByteString apply(KvCommand command) {
    if (command instanceof KvCommand.Put put) {
      values.put(put.key(), put.value());
      return ByteString.EMPTY;
    }
    if (command instanceof KvCommand.Cas cas) {
      boolean[] swapped = {false};
      values.computeIfPresent(cas.key(), (k, old) -> {
        swapped[0] = Arrays.equals(old, cas.expected());
        return swapped[0] ? cas.value() : old;
      });
      return KvCommand.casAnswer(swapped[0]);
    }
    throw new IllegalArgumentException("a read cannot be a log entry: " + command);
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    try {
      KvCommand command = KvCommand.decode(request.getContent());
      if (!(command instanceof KvCommand.Get get)) {
        throw new IllegalArgumentException("only gets are read-only, got " + command);
      }
      byte[] value = values.get(get.key());
      return CompletableFuture.completedFuture(
          Message.valueOf(value == null ? ByteString.EMPTY : ByteString.copyFrom(value)));
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Number of keys stored (for tests). */
  int size() {
    return values.size();
  }
}
