package io.lockstep.redis;

import java.nio.charset.StandardCharsets;

/**
 * Redis's strict decimal integers ({@code string2ll}): an optional {@code -}, then digits with no
 * leading zero (except {@code 0} itself), no {@code +}, no blanks, within a signed 64-bit long.
 * The same bytes parse the same way on every replica, which matters because INCR's outcome is
 * part of the replicated state.
 */
final class RedisNumbers {
  private static final int MAX_DIGITS = 20;

  private RedisNumbers() {}

  /**
   * @return the value
   * @throws NumberFormatException if {@code text} is not a canonical signed 64-bit decimal
   */
  static long parseLong(byte[] text) {
    if (text.length == 0 || text.length > MAX_DIGITS) {
      throw new NumberFormatException("not an integer");
    }
    if (text.length == 1 && text[0] == '0') {
      return 0;
    }
    boolean negative = text[0] == '-';
    int i = negative ? 1 : 0;
    if (i == text.length || text[i] < '1' || text[i] > '9') {
      throw new NumberFormatException("not an integer");
    }
    long value = 0;
    try {
      for (; i < text.length; i++) {
        int digit = text[i] - '0';
        if (digit < 0 || digit > 9) {
          throw new NumberFormatException("not an integer");
        }
        // Accumulate negatively so that Long.MIN_VALUE parses without overflowing.
        value = Math.subtractExact(Math.multiplyExact(value, 10), digit);
      }
      return negative ? value : Math.negateExact(value);
    } catch (ArithmeticException e) {
      throw new NumberFormatException("out of range");
    }
  }

  /** Like {@link #parseLong(byte[])}, for ASCII text. */
  static long parseLong(String text) {
    return parseLong(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The canonical decimal form Redis stores after INCR. */
  static byte[] format(long value) {
    return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
  }
}
