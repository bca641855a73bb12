package io.lockstep.net;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Collections;

/** A PeerHandler that records what arrived, per sender; messages are 8-byte sequence numbers. */
final class Inbox implements PeerHandler {
  private final Map<Integer, List<Long>> bySender = new ConcurrentHashMap<>();

  static byte[] message(long sequence) {
    return ByteBuffer.allocate(8).putLong(sequence).array();
  }

  @Override
  public void onMessage(int from, byte[] payload) {
    long sequence = payload.length == 8 ? ByteBuffer.wrap(payload).getLong() : -payload.length;
    bySender.computeIfAbsent(from, f -> Collections.synchronizedList(new ArrayList<>())).add(sequence);
  }

  List<Long> from(int sender) {
    List<Long> received = bySender.getOrDefault(sender, List.of());
    synchronized (received) {
      return new ArrayList<>(received);
    }
  }

  int count(int sender) {
    return bySender.getOrDefault(sender, List.of()).size();
  }
}
