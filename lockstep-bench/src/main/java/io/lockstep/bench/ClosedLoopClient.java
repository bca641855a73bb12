package io.lockstep.bench;

import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One closed-loop client: it issues an operation, waits for its answer, records it, and only then
 * issues the next one — so it never has more than one operation in flight.
 *
 * <p>The completion is recorded on the thread that completed the target's future (so latency
 * excludes any hand-off), but the next operation is issued from the generator's driver executor:
 * a target that completes futures synchronously would otherwise recurse without bound, and a
 * target's I/O thread should not pay for preparing our next request.
 */
final class ClosedLoopClient {

  /** What the client reports back to the run that owns it. */
  interface Run {
    /** True once the measured window has ended: issue nothing more. */
    boolean stopping();

    /** Called exactly once, when this client has stopped and has nothing in flight. */
    void clientDone();
  }

  private final KvTarget target;
  private final Workload workload;
  private final String[] keys;
  private final byte[] value;
  private final SplittableRandom random;
  private final Measurement measurement;
  private final Executor driver;
  private final Run run;

  ClosedLoopClient(KvTarget target, Workload workload, String[] keys, byte[] value,
      SplittableRandom random, Measurement measurement, Executor driver, Run run) {
    this.target = target;
    this.workload = workload;
    this.keys = keys;
    this.value = value;
    this.random = random;
    this.measurement = measurement;
    this.driver = driver;
    this.run = run;
  }

  /** Issues the next operation, or stops if the run is over. Runs on a driver thread. */
  void issueNext() {
    if (run.stopping()) {
      run.clientDone();
      return;
    }
    Operation operation = Operation.pick(workload, random.nextDouble());
    String key = keys[random.nextInt(keys.length)];
    measurement.issued();
    long start = System.nanoTime();
    CompletableFuture<?> answer = start(operation, key);
    answer.whenComplete((ignored, error) -> completed(start, error));
  }

  private CompletableFuture<?> start(Operation operation, String key) {
    try {
      CompletableFuture<?> answer = switch (operation) {
        case WRITE -> target.write(key, value);
        case READ -> target.read(key);
        case CAS -> target.cas(key, value, value);
      };
      return answer != null
          ? answer
          : CompletableFuture.failedFuture(
              new IllegalStateException("target returned no future for " + operation));
    } catch (RuntimeException e) {
      // A target that throws instead of failing its future still counts as one failed operation.
      return CompletableFuture.failedFuture(e);
    }
  }

  private void completed(long start, Throwable error) {
    long end = System.nanoTime();
    if (error == null) {
      measurement.success(start, end);
    } else {
      measurement.failure(error, end);
    }
    if (run.stopping()) {
      run.clientDone();
    } else {
      driver.execute(this::issueNext);
    }
  }
}
