package io.lockstep.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The register model over interned values: each distinct value of one key becomes a small int
 * (0 = absent), so that states compare and hash cheaply during the search.
 */
final class RegisterValues {
  private final List<String> values = new ArrayList<>();
  private final Map<String, Integer> ids = new HashMap<>();
  /** Per operation id: the interned value read, written and expected. */
  private final int[] read;
  private final int[] written;
  private final int[] expected;

  RegisterValues(List<RegisterOp> ops) {
    intern(null);
    read = new int[ops.size()];
    written = new int[ops.size()];
    expected = new int[ops.size()];
    for (RegisterOp op : ops) {
      int id = op.id();
      read[id] = intern(op.kind() == RegisterOp.Kind.READ ? op.value() : null);
      written[id] = intern(op.written());
      expected[id] = intern(op.expected());
    }
  }

  private int intern(String value) {
    return ids.computeIfAbsent(value, v -> {
      values.add(v);
      return values.size() - 1;
    });
  }

  /**
   * The model's transition: the state after {@code op} from {@code state}, or -1 if the op is
   * illegal there (a read that saw another value, a cas whose comparison would fail).
   */
  int step(int state, RegisterOp op) {
    int id = op.id();
    return switch (op.kind()) {
      case READ -> state == read[id] ? state : -1;
      case WRITE, DELETE -> written[id];
      case CAS -> state == expected[id] ? written[id] : -1;
    };
  }

  /** The interned value an operation writes if it takes effect. */
  int written(RegisterOp op) {
    return written[op.id()];
  }

  /** The interned value a cas compares with (absent for other operations). */
  int expected(RegisterOp op) {
    return expected[op.id()];
  }

  /** The value behind an interned id (null = absent). */
  String value(int state) {
    return values.get(state);
  }
}
