package io.lockstep.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.ClientId;
import io.lockstep.request.Reply;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** X4: a session's window of cached replies is exactly its latest {@code keep} requests. */
class SessionTest {
  private static final ClientId A = ClientId.of("a");

  private static Reply reply(long sequence) {
    return new Reply(A, sequence, Reply.Status.OK, new byte[] {(byte) sequence}, "", sequence, 0);
  }

  @Property(tries = 200)
  void theWindowHoldsExactlyTheLatestKeepReplies(@ForAll @IntRange(min = 1, max = 70) int keep,
      @ForAll @IntRange(min = 1, max = 300) int executed) {
    Session session = new Session(A, 0);
    for (long s = 1; s <= executed; s++) {
      session.executed(reply(s), keep);
    }
    long first = Math.max(1, executed - keep + 1);
    for (long s = 0; s <= executed + 1; s++) {
      Reply cached = session.reply(s);
      if (s >= first && s <= executed) {
        assertThat(cached).as("#%d", s).isNotNull();
        assertThat(cached.sequence()).isEqualTo(s);
      } else {
        assertThat(cached).as("#%d", s).isNull();
      }
    }
    assertThat(session.replies()).extracting(Reply::sequence)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(first, executed)
            .boxed().toList());
  }

  @Test
  void aGapInExecutionIsABrokenInvariant() {
    Session session = new Session(A, 0);
    session.executed(reply(1), 4);
    assertThatThrownBy(() -> session.executed(reply(3), 4))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("#3 after #1");
  }
}
