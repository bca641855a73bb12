package io.lockstep.client;

import io.lockstep.order.FailureModel;
import io.lockstep.server.config.ClusterConfig;
import java.util.List;
import java.util.Locale;

/**
 * How a Byzantine-mode client gets its request to the replicas (paper §3.1, the two transmitter
 * modes). {@link #BROADCAST}: the client sends it to every replica itself, so each replica holds
 * the client's own copy. {@link #ONE_REPLICA}: the client signs it with its own key and hands it
 * to one replica, which disseminates it; every replica that executes it answers the client
 * (on the connection where the client proved its key), and when no t+1 identical answers come
 * within an attempt, the client resends the same signed request through the next replica of
 * its rotation, so its (t+1)-th attempt at the latest goes through a correct one.
 */
public enum Transmitter {
  /** Every replica is sent the request (the default). */
  BROADCAST,
  /** One replica at a time is handed the signed request. */
  ONE_REPLICA;

  /** The protocols whose orders take a signed request on one carrier's word. */
  static final List<String> ONE_CARRIER_ORDERS = List.of("replica-uid", "real-time");

  /** The setting's text: {@code broadcast} or {@code one-replica}. */
  public String setting() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Parses a setting.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static Transmitter parse(String text) {
    for (Transmitter t : values()) {
      if (t.setting().equals(text.trim())) {
        return t;
      }
    }
    throw new IllegalArgumentException("client.transmitter: '" + text + "' is neither broadcast"
        + " nor one-replica");
  }

  /**
   * Why {@code config}'s cluster cannot serve this mode, or null if it can: only the Byzantine
   * classic orders ({@link #ONE_CARRIER_ORDERS}) take a request on one carrier's word when its
   * client signed it. PBFT's backups prepare only requests they hold themselves, and under
   * fail-stop a request goes to the leader alone anyway.
   */
  public String refusal(ClusterConfig config) {
    if (this == BROADCAST) {
      return null;
    }
    if (config.failureModel() != FailureModel.BYZANTINE) {
      return "client.transmitter=one-replica is for Byzantine clusters (cluster "
          + config.name() + " is fail-stop: a client already hands each request to its leader)";
    }
    if (!ONE_CARRIER_ORDERS.contains(config.protocol())) {
      return "client.transmitter=one-replica needs an order that takes a client-signed request"
          + " from one replica (" + String.join(" or ", ONE_CARRIER_ORDERS) + "); cluster "
          + config.name() + " runs " + config.protocol() + ", whose replicas order only requests"
          + " they hold themselves: keep broadcast";
    }
    return null;
  }
}
