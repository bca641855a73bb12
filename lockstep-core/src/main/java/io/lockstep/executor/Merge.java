package io.lockstep.executor;

import io.lockstep.machine.InputMerger;
import io.lockstep.machine.Rejection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Ready-made ways to combine divergent copies of one logical request from replicated clients
 * (paper §5.1). Both are deterministic functions of the copies, so every replica merges alike.
 */
public final class Merge {
  private Merge() {}

  /**
   * The median copy (paper §5.1: with 2t+1 copies of which at most t are faulty, the median lies
   * between values sent by correct clients). If every copy is UTF-8 text of a decimal
   * {@code long}, copies are ordered numerically; otherwise by unsigned lexicographic byte order.
   * For an even number of copies the lower median is chosen.
   */
  public static InputMerger median() {
    return copies -> {
      if (copies.isEmpty()) {
        throw new IllegalArgumentException("median of no copies");
      }
      List<byte[]> sorted = new ArrayList<>(copies);
      if (sorted.stream().allMatch(c -> parseLong(c) != null)) {
        sorted.sort(Comparator.comparingLong(c -> parseLong(c)));
      } else {
        sorted.sort(Arrays::compareUnsigned);
      }
      return sorted.get((sorted.size() - 1) / 2).clone();
    };
  }

  /**
   * Marzullo's interval intersection (paper §5.1): each copy is UTF-8 text {@code "lo,hi"} with
   * {@code lo <= hi} (a closed interval of longs, e.g. a sensor reading with its error bound).
   * Returns, as {@code "lo,hi"}, the smallest interval on which the largest number of copies
   * agree (the first such interval when several tie). Malformed copies are ignored, as a faulty
   * client replica may send anything; if no copy is well formed the request is rejected.
   */
  public static InputMerger intervalIntersection() {
    return copies -> {
      List<long[]> endpoints = new ArrayList<>();
      for (byte[] copy : copies) {
        long[] interval = parseInterval(copy);
        if (interval != null) {
          endpoints.add(new long[] {interval[0], -1});
          endpoints.add(new long[] {interval[1], +1});
        }
      }
      if (endpoints.isEmpty()) {
        throw new Rejection("no copy is a well-formed interval \"lo,hi\"");
      }
      // Starts sort before ends at the same offset: closed intervals that touch do agree.
      endpoints.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
      int best = 0;
      int count = 0;
      long lo = 0;
      long hi = 0;
      for (int i = 0; i < endpoints.size(); i++) {
        count -= (int) endpoints.get(i)[1];
        if (count > best) {
          best = count;
          lo = endpoints.get(i)[0];
          hi = endpoints.get(i + 1)[0];
        }
      }
      return (lo + "," + hi).getBytes(StandardCharsets.UTF_8);
    };
  }

  private static Long parseLong(byte[] copy) {
    String text = new String(copy, StandardCharsets.UTF_8).trim();
    if (text.isEmpty() || text.length() > 20) {
      return null;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static long[] parseInterval(byte[] copy) {
    String text = new String(copy, StandardCharsets.UTF_8);
    int comma = text.indexOf(',');
    if (comma < 0 || text.length() > 64) {
      return null;
    }
    try {
      long lo = Long.parseLong(text.substring(0, comma).trim());
      long hi = Long.parseLong(text.substring(comma + 1).trim());
      return lo <= hi ? new long[] {lo, hi} : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
