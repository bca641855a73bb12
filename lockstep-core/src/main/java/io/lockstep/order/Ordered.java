package io.lockstep.order;

import io.lockstep.request.Request;
import java.util.Objects;

/**
 * A stable request with its unique identifier (paper §3.2): the unit the executor consumes.
 *
 * @param position the request's identifier; strictly increasing along the order, with gaps
 *     allowed (e.g. log positions taken by protocol no-ops)
 * @param time the agreed timestamp in milliseconds since the epoch; never decreases along the
 *     order
 * @param request the request, or a null request carrying only time
 */
public record Ordered(long position, long time, Request request) {
  public Ordered {
    Objects.requireNonNull(request, "request");
    if (position < 1) {
      throw new IllegalArgumentException("position must be at least 1, was " + position);
    }
  }
}
