package io.lockstep.bench;

/** The three kinds of operation a closed-loop client issues (see {@link Workload}). */
enum Operation {
  WRITE,
  READ,
  CAS;

  /**
   * Maps a uniform draw {@code u} in [0, 1) to an operation so that each kind is chosen with its
   * fraction of the workload: [0, w) writes, [w, w + r) reads, the rest compare-and-sets.
   */
  static Operation pick(Workload workload, double u) {
    if (u < workload.writeFraction()) {
      return WRITE;
    }
    if (u < workload.writeFraction() + workload.readFraction()) {
      return READ;
    }
    // Rounding can leave a sliver above w + r + c; it must not turn into a kind whose share is 0.
    return workload.casFraction() > 0 ? CAS : workload.readFraction() > 0 ? READ : WRITE;
  }
}
