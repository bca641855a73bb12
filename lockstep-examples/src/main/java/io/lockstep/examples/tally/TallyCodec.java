package io.lockstep.examples.tally;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.machine.Rejection;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Wire forms of the tally's command ({@code vote choice}) and its result query. */
public final class TallyCodec {
  /** Longest choice, in UTF-8 bytes, so that the tally's state stays small. */
  public static final int MAX_CHOICE_BYTES = 64;

  private static final int VOTE = 1;
  private static final int RESULT = 2;

  private TallyCodec() {}

  /** The command that votes for {@code choice}. */
  public static byte[] vote(String choice) {
    return new WireWriter().writeByte(VOTE).writeString(choice).toByteArray();
  }

  /** The query that reads the winner. */
  public static byte[] result() {
    return new WireWriter().writeByte(RESULT).toByteArray();
  }

  /** The chosen value of a well-formed vote, or empty if {@code command} is not one. */
  static Optional<String> decodeVote(byte[] command) {
    try {
      WireReader in = new WireReader(command, "tally command");
      if (in.readByte() != VOTE) {
        return Optional.empty();
      }
      String choice = in.readString("choice", MAX_CHOICE_BYTES);
      in.end();
      return choice.isEmpty() ? Optional.empty() : Optional.of(choice);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Refuses anything but the result query. */
  static void requireResult(byte[] query) {
    if (query.length != 1 || query[0] != RESULT) {
      throw new Rejection("the only tally query is RESULT");
    }
  }

  /** The result query's answer: the winner, or empty while there is none. */
  public static Optional<String> decodeWinner(byte[] output) {
    String winner = new String(output, StandardCharsets.UTF_8);
    return winner.isEmpty() ? Optional.empty() : Optional.of(winner);
  }
}
