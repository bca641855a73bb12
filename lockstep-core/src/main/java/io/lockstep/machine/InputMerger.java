package io.lockstep.machine;

import java.util.List;

/**
 * Combines divergent copies of one logical request from replicated clients (paper §5.1): with
 * 2t+1 copies of which at most t are faulty, the median of the values lies between values sent
 * by correct clients.
 */
@FunctionalInterface
public interface InputMerger {
  /**
   * @param copies the copies received, from distinct client replicas, in a deterministic order
   * @return the command to execute once
   */
  byte[] merge(List<byte[]> copies);
}
