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
 * {@link #RELAY} (PBFT): the client hands each request to one replica with a MAC authenticator,
 * one tag per replica made with the key of its connection to that replica; the replica relays
 * it to the others, and each takes it as the client's own copy only if its tag matches. When an
 * attempt gets no decision the client sends the request to every replica that has not answered
 * itself, as in broadcast mode, and hands later requests to the next replica.
 */
public enum Transmitter {
  /** Every replica is sent the request (the default, but for PBFT: {@link #defaultFor}). */
  BROADCAST,
  /** One replica at a time is handed the signed request. */
  ONE_REPLICA,
  /** One replica is handed the request with an authenticator, and relays it (PBFT). */
  RELAY;

  /** The protocols whose orders take a signed request on one carrier's word. */
  static final List<String> ONE_CARRIER_ORDERS = List.of("replica-uid", "real-time");

  /**
   * The protocols whose replicas relay a request handed to one of them with an authenticator:
   * PBFT, whose backups prepare only requests they hold as their client's own copy.
   */
  static final List<String> RELAYING_ORDERS = List.of("pbft");

  /**
   * The mode a keyed client of {@code config}'s cluster uses unless told otherwise: relay where
   * the replicas relay (PBFT under Byzantine faults: a request crosses the client's link once,
   * not once per replica; on the same build and machine PBFT did 9,768–10,581 writes/s in five
   * relay runs against 8,947 broadcast, docs/BENCHMARKS.md), else broadcast.
   */
  public static Transmitter defaultFor(ClusterConfig config) {
    return RELAY.refusal(config) == null ? RELAY : BROADCAST;
  }

  /** The setting's text: {@code broadcast}, {@code one-replica} or {@code relay}. */
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
    throw new IllegalArgumentException("client.transmitter: '" + text + "' is not broadcast,"
        + " one-replica or relay");
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
    if (this == RELAY) {
      return config.failureModel() == FailureModel.BYZANTINE && RELAYING_ORDERS.contains(
          config.protocol()) ? null : "client.transmitter=relay needs a Byzantine cluster whose"
          + " replicas relay requests (" + String.join(" or ", RELAYING_ORDERS) + "); cluster "
          + config.name() + " runs " + config.protocol() + " under the " + config.failureModel()
          .configName() + " model";
    }
    if (config.failureModel() != FailureModel.BYZANTINE) {
      return "client.transmitter=one-replica is for Byzantine clusters (cluster "
          + config.name() + " is fail-stop: a client already hands each request to its leader)";
    }
    if (!ONE_CARRIER_ORDERS.contains(config.protocol())) {
      return "client.transmitter=one-replica needs an order that takes a client-signed request"
          + " from one replica (" + String.join(" or ", ONE_CARRIER_ORDERS) + "); cluster "
          + config.name() + " runs " + config.protocol() + ", whose replicas order only requests"
          + " they hold themselves: use broadcast or relay";
    }
    return null;
  }
}
