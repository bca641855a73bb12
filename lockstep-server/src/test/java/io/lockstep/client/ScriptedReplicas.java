package io.lockstep.client;

import io.lockstep.machine.ClientId;
import io.lockstep.net.ClientAuth;
import io.lockstep.net.FrameServer;
import io.lockstep.net.NetOptions;
import io.lockstep.net.ServerConfig;
import io.lockstep.order.FailureModel;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import io.lockstep.server.ReplicaServer;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Fake replicas on real client ports, each proving its own key and answering as a script says:
 * honest, lying, silent, repeating itself or claiming another replica's id in its replies. What
 * the voting client must survive, without a protocol behind it.
 */
final class ScriptedReplicas implements AutoCloseable {
  static final String CLUSTER = "test";
  static final String CLIENT = "alice";

  /** What replica answers to one question (any number of messages; none is silence). */
  interface Script extends Function<ClientMessage, List<ClientMessage>> {}

  private final Map<Integer, KeyPair> keys = new TreeMap<>();
  private final KeyPair clientKey;
  private final List<FrameServer> servers = new ArrayList<>();
  private final Map<Integer, Script> scripts = new TreeMap<>();
  final Map<Integer, List<ClientMessage>> received = new TreeMap<>();

  ScriptedReplicas(Map<Integer, Script> scripts) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
    clientKey = generator.generateKeyPair();
    this.scripts.putAll(scripts);
    for (int id : new TreeMap<>(scripts).keySet()) {
      keys.put(id, generator.generateKeyPair());
      List<ClientMessage> log = Collections.synchronizedList(new ArrayList<>());
      received.put(id, log);
      servers.add(start(id, 0, scripts.get(id), log));
    }
  }

  /**
   * Stops replica {@code id}'s port (its clients' connections close) and opens it again on the
   * same port, with the same key and script and an empty log of what it received.
   */
  void restart(int id) throws IOException {
    int index = List.copyOf(keys.keySet()).indexOf(id);
    int port = servers.get(index).port();
    servers.get(index).close();
    List<ClientMessage> log = Collections.synchronizedList(new ArrayList<>());
    received.put(id, log);
    servers.set(index, start(id, port, scripts.get(id), log));
  }

  private FrameServer start(int id, int port, Script script, List<ClientMessage> log)
      throws IOException {
    NetOptions net = NetOptions.defaults().withIoThreads(1)
        .withMaxPayloadBytes(ReplicaServer.CLIENT_MAX_PAYLOAD);
    return FrameServer.start(new ServerConfig(CLUSTER, Integer.toString(id),
        new InetSocketAddress("127.0.0.1", port),
        ClientAuth.none().withKeys(Map.of(CLIENT, clientKey.getPublic())), net,
        keys.get(id).getPrivate()), (connection, payload) -> {
          ClientMessage question = ClientCodec.decode(payload);
          log.add(question);
          for (ClientMessage answer : script.apply(question)) {
            connection.send(ClientCodec.encode(answer));
          }
        });
  }

  /** Options of a Byzantine client of these replicas tolerating {@code t} liars. */
  ClientOptions options(int t, Duration attempt, Duration deadline) {
    List<InetSocketAddress> addresses = servers.stream()
        .map(s -> new InetSocketAddress("127.0.0.1", s.port())).toList();
    List<Integer> ids = List.copyOf(keys.keySet());
    List<PublicKey> publics = ids.stream().map(id -> keys.get(id).getPublic()).toList();
    return new ClientOptions(CLUSTER, addresses, ClientId.of(CLIENT), null, FailureModel.FAIL_STOP,
        t, attempt, deadline).withKeys(new ClientKeys(clientKey.getPrivate(), ids, publics))
        .withFailureModel(FailureModel.BYZANTINE);
  }

  /** The same options for a client that relays ({@link Transmitter#RELAY}). */
  ClientOptions relayOptions(int t, Duration attempt, Duration deadline) {
    ClientOptions plain = options(t, attempt, deadline);
    return new ClientOptions(plain.cluster(), plain.replicas(), plain.clientId(), plain.secret(),
        plain.failureModel(), plain.t(), plain.attemptTimeout(), plain.deadline(), plain.keys(),
        plain.oneReplicaReads(), Transmitter.RELAY);
  }

  /** Answers every write with {@code value}, and reads too; {@code bodyId} in its replies. */
  static Script answering(String value, int bodyId) {
    return question -> List.of(answer(question, value, bodyId));
  }

  static ClientMessage answer(ClientMessage question, String value, int bodyId) {
    if (question instanceof ClientMessage.Submit s) {
      return new ClientMessage.Replied(s.tag(), new Reply(s.request().client(),
          s.request().sequence(), Reply.Status.OK, value.getBytes(), "", s.request().sequence(),
          bodyId));
    }
    return new ClientMessage.ReadResult(question.tag(),
        new QueryResult(question.tag(), true, value.getBytes(), ""));
  }

  static Script silent() {
    return question -> List.of();
  }

  @Override
  public void close() {
    servers.forEach(FrameServer::close);
  }
}
