package io.lockstep.order.pbft;

import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.Ready;
import io.lockstep.replica.QueryResult;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A Byzantine replica that runs the protocol and answers ordered requests honestly (so it is
 * among the first to reply to a write), but answers every read of a key with the value that key
 * had before the last change it saw: the value a write it already executed overwrote. Together
 * with t correct replicas that have not executed that write yet it forms 2t+1 matching answers
 * for the old value, which is a stale read if the write had already completed on fewer than
 * 2t+1 replies ({@link CoordinationFactory#commandQuorum}).
 *
 * <p>It learns a key's values from its own honest read answers, so it lies only about keys it
 * has been asked twice with a change in between; reads of other keys it answers truthfully.
 */
final class StaleReader implements MessageInterceptor {
  /** Read id → the key (query bytes, hex) it asked, until answered. */
  private final Map<Long, String> queries = new HashMap<>();
  /** Key → {the value it last had, the value before that} (either may be null). */
  private final Map<String, byte[][]> values = new HashMap<>();

  @Override
  public List<Ready.Outbound> intercept(int from, Ready.Outbound outbound,
      RandomGenerator random) {
    return List.of(outbound);
  }

  @Override
  public void readArrived(long readId, byte[] query) {
    queries.put(readId, HexFormat.of().formatHex(query));
  }

  @Override
  public QueryResult read(QueryResult result, RandomGenerator random) {
    String key = queries.remove(result.readId());
    if (key == null || !result.ok()) {
      return result;
    }
    byte[][] known = values.computeIfAbsent(key, k -> new byte[2][]);
    if (known[0] == null || !java.util.Arrays.equals(known[0], result.value())) {
      known[1] = known[0];
      known[0] = result.value();
    }
    return known[1] == null ? result
        : new QueryResult(result.readId(), true, known[1], result.reason());
  }
}
