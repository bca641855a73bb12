package io.lockstep.examples.memory;

/**
 * The half-open address range {@code [lo, hi)} a client may write (paper §5.2).
 *
 * @param lo first writable address
 * @param hi first address past the range
 */
public record WriteRange(long lo, long hi) {
  public WriteRange {
    if (lo >= hi) {
      throw new IllegalArgumentException("empty write range [" + lo + ", " + hi + ")");
    }
  }

  /** True when {@code address} lies in the range. */
  public boolean contains(long address) {
    return address >= lo && address < hi;
  }

  @Override
  public String toString() {
    return "[" + lo + ", " + hi + ")";
  }
}
