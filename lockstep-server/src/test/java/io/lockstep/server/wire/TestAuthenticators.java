package io.lockstep.server.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** Authenticators of made-up tags for tests that do not check a real MAC. */
public final class TestAuthenticators {
  private TestAuthenticators() {}

  /** An authenticator with one tag per replica of {@code replicas}, each {@code tagOf} it. */
  public static Authenticator of(IntFunction<byte[]> tagOf, int... replicas) {
    List<Authenticator.Tag> tags = new ArrayList<>();
    for (int r : replicas) {
      tags.add(new Authenticator.Tag(r, tagOf.apply(r)));
    }
    return new Authenticator(tags);
  }
}
