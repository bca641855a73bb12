package io.lockstep.client;

import io.lockstep.request.Reply;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.wire.ClientMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.function.LongFunction;

/**
 * An operator's signed system command to a Byzantine cluster (paper §4: a client of replicas
 * that may lie sends to all and votes on the outputs). Every replica gets the same signed
 * command: a PBFT backup prepares only requests it holds itself, so one sent to a single replica
 * is never ordered, and the administrator session its nonce names makes it execute at most once
 * however many replicas submit it. The answer is one that 2t+1 replicas gave identically, as
 * {@link LockstepClient}'s voter decides writes, so t liars can neither forge nor hide it. A
 * replica that is busy or unreachable is asked again until the deadline.
 */
final class EveryReplicaAsk {
  private static final long RETRY_PAUSE_MILLIS = 200;

  private final ClusterConfig config;
  private final OperatorLink link;

  EveryReplicaAsk(ClusterConfig config, OperatorLink link) {
    this.config = config;
    this.link = link;
  }

  /**
   * Sends {@code question} to every replica until 2t+1 of them reply alike.
   *
   * @return that reply, or null when no 2t+1 agreed in time ({@code problems} then says why)
   */
  Reply ask(LongFunction<ClientMessage> question, long deadline, List<String> problems)
      throws InterruptedException {
    List<ReplicaAddresses> replicas = config.replicas();
    Map<Integer, Reply> answers = new TreeMap<>();
    Map<Integer, String> troubles = new TreeMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(replicas.size(), r -> {
      Thread t = new Thread(r, "lockstep-operator-ask");
      t.setDaemon(true);
      return t;
    });
    try {
      for (ReplicaAddresses target : replicas) {
        pool.execute(() -> askOne(target, question, deadline, answers, troubles));
      }
      synchronized (answers) {
        while (System.nanoTime() < deadline) {
          Reply decided = decided(answers);
          if (decided != null) {
            return decided;
          }
          answers.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        problems.add("no " + (2 * config.t() + 1) + " replicas answered alike in time;"
            + " answers " + describe(answers) + "; problems " + troubles);
        return null;
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Asks {@code target} until it replies or the deadline passes. */
  private void askOne(ReplicaAddresses target, LongFunction<ClientMessage> question,
      long deadline, Map<Integer, Reply> answers, Map<Integer, String> troubles) {
    while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
      String trouble;
      try {
        ClientMessage answer = link.exchange(target, question, deadline);
        if (answer instanceof ClientMessage.Replied r) {
          synchronized (answers) {
            answers.put(target.id(), r.reply());
            answers.notifyAll();
          }
          return;
        }
        trouble = answer instanceof ClientMessage.Busy b ? "busy: " + b.reason()
            : "unexpected answer " + answer.getClass().getSimpleName();
      } catch (ExecutionException | TimeoutException e) {
        trouble = e.getCause() != null ? e.getCause().getMessage() : "no answer in time";
      } catch (InterruptedException e) {
        return; // decided, or given up
      }
      synchronized (answers) {
        troubles.put(target.id(), trouble);
      }
      try {
        Thread.sleep(RETRY_PAUSE_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** A reply 2t+1 replicas gave identically, or null. */
  private Reply decided(Map<Integer, Reply> answers) {
    for (Reply candidate : answers.values()) {
      long same = answers.values().stream().filter(r -> r.status() == candidate.status()
          && Arrays.equals(r.value(), candidate.value())
          && r.reason().equals(candidate.reason())).count();
      if (same >= 2L * config.t() + 1) {
        return candidate;
      }
    }
    return null;
  }

  private static String describe(Map<Integer, Reply> answers) {
    List<String> out = new ArrayList<>();
    answers.forEach((id, r) -> out.add(id + ": " + r.status()
        + (r.reason().isEmpty() ? "" : " (" + r.reason() + ")")));
    return out.toString();
  }
}
