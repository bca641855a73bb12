package io.lockstep.order.stamped;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The input a classic ordering protocol refused: how much in all, how much in each category,
 * and the reasons themselves until they are drained. Shared by the Byzantine orders, which drop
 * whatever a faulty replica sends instead of failing on it (DESIGN: bad input is dropped with a
 * logged reason). Only the first {@value #REASONS_KEPT} reasons between drains are kept, so a
 * flooding liar cannot grow memory without bound; the counts keep counting.
 */
public final class Drops {
  /** Most reasons kept for {@link #drainReasons} between drains. */
  public static final int REASONS_KEPT = 256;

  private final List<String> reasons = new ArrayList<>();
  /** Sorted, so an operator's listing reads the same on every replica. */
  private final Map<String, Long> byCategory = new TreeMap<>();
  private long count;

  /** Counts one input refused, under {@code category}, for {@code reason}. */
  public void reject(String category, String reason) {
    count++;
    byCategory.merge(category, 1L, Long::sum);
    if (reasons.size() < REASONS_KEPT) {
      reasons.add(reason);
    }
  }

  /** How many inputs were refused in all. */
  public long count() {
    return count;
  }

  /** How many inputs were refused in each category (a copy). */
  public Map<String, Long> byCategory() {
    return Map.copyOf(byCategory);
  }

  /** Why input was refused since the last call (at most {@value #REASONS_KEPT}), forgotten. */
  public List<String> drainReasons() {
    List<String> drained = List.copyOf(reasons);
    reasons.clear();
    return drained;
  }
}
