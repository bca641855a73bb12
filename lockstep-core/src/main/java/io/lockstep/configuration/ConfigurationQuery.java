package io.lockstep.configuration;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The query that returns the current configuration (paper §7: clients and devices learn the
 * configuration by polling). Its bytes are a fixed 24-byte tag, answered by the executor
 * itself for any caller (a removed client included, so it can learn why it is refused) and
 * never passed to the state machine; the answer is {@link ConfigurationCodec#encode}'s.
 * A state machine whose own queries could be exactly these bytes would lose that one query;
 * the tag starts with a zero byte and names Lockstep so that no text protocol produces it.
 */
public final class ConfigurationQuery {
  private static final byte[] TAG =
      "\0lockstep:configuration?".getBytes(StandardCharsets.US_ASCII);

  /** Asks for the full form, with the replicas' recorded addresses (24 bytes as well). */
  private static final byte[] FULL_TAG =
      "\0lockstep:configuration+".getBytes(StandardCharsets.US_ASCII);

  private ConfigurationQuery() {}

  /**
   * The query for the configuration with the replicas' recorded addresses
   * ({@link ConfigurationCodec#encodeFull}). A replica of an earlier build does not know it and
   * hands it to the state machine as an ordinary query; clients of this build therefore fall
   * back to {@link #bytes} when its answer does not decode.
   */
  public static byte[] withMembers() {
    return FULL_TAG.clone();
  }

  /** True if {@code query} asks for the full form. */
  public static boolean isFull(byte[] query) {
    return Arrays.equals(FULL_TAG, query);
  }

  /** The query's bytes. */
  public static byte[] bytes() {
    return TAG.clone();
  }

  /** True if {@code query} asks for the configuration in either form. */
  public static boolean is(byte[] query) {
    return Arrays.equals(TAG, query) || Arrays.equals(FULL_TAG, query);
  }
}
