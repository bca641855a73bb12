package io.lockstep.server;

import java.util.concurrent.BlockingQueue;
import java.util.function.BooleanSupplier;

/**
 * Lets client questions (requests and linearizable reads) into a replica loop's bounded queue,
 * or answers them "busy" at once, which is retryable because nothing was ordered: when the loop
 * is stopping, when the queued questions already hold the byte budget ({@link QuestionBudget}),
 * or when the queue itself is full. The loop thread gives a question's bytes back when it takes
 * the question off the queue.
 *
 * <p>Separate from {@link ReplicaLoop} because this runs on whichever thread asks (the I/O
 * threads, co-located clients) and answers there, never on the loop thread; and separate from
 * {@link QuestionBudget}, which only counts bytes and knows nothing of queues or origins.
 */
final class QuestionAdmission {
  private final BlockingQueue<LoopEvent> queue;
  private final ServerMetrics metrics;
  private final BooleanSupplier running;
  private final QuestionBudget questions = new QuestionBudget();

  /**
   * @param queue the loop's queue, which questions share with every other event
   * @param running whether the loop still takes work
   */
  QuestionAdmission(BlockingQueue<LoopEvent> queue, ServerMetrics metrics,
      BooleanSupplier running) {
    this.queue = queue;
    this.metrics = metrics;
    this.running = running;
  }

  /** Sets the byte budget of queued client questions ({@link QuestionBudget}). */
  void budget(long bytes) {
    questions.budget(bytes);
  }

  /** Client bytes queued now. */
  long queuedBytes() {
    return questions.queued();
  }

  /** On the loop thread: a question of {@code bytes} left the queue. */
  void taken(long bytes) {
    questions.release(bytes);
  }

  /** Enqueues a request, or answers it "busy" if the queue or its budget is full. */
  void offer(LoopEvent.Submit submit) {
    offer(submit, QuestionBudget.of(submit.request().command()), submit.origin());
  }

  /** Enqueues a read, or answers it "busy" if the queue or its budget is full. */
  void offer(LoopEvent.Read read) {
    offer(read, QuestionBudget.of(read.query()), read.origin());
  }

  private void offer(LoopEvent question, long bytes, Origin origin) {
    if (admit(bytes, origin) && !queue.offer(question)) {
      refuse(bytes, origin);
    }
  }

  /**
   * Reserves a question's bytes in the budget, or answers it "busy" (retryable: nothing was
   * ordered).
   */
  private boolean admit(long bytes, Origin origin) {
    if (!running.getAsBoolean()) {
      metrics.busy();
      origin.busy("replica stopping");
      return false;
    }
    if (!questions.reserve(bytes)) {
      metrics.budgetRefused(ServerMetrics.LOOP_BYTES);
      origin.busy("replica overloaded: its queued client requests hold more than "
          + questions.budget() + " bytes");
      return false;
    }
    return true;
  }

  private void refuse(long bytes, Origin origin) {
    questions.release(bytes);
    metrics.busy();
    origin.busy("replica overloaded: its loop queue is full");
  }
}
