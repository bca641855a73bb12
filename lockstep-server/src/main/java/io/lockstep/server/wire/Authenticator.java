package io.lockstep.server.wire;

import io.lockstep.request.Request;
import io.lockstep.storage.codec.BinaryWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A client's MAC authenticator over one request (Castro and Liskov, PBFT §3): one tag per
 * replica, each made with the key of the client's own connection to that replica
 * ({@link io.lockstep.net.AuthenticatorKey}), over {@link #covered}. The client hands the
 * request to one replica with it; that replica relays the request to the others, each with its
 * own tag, and a replica takes a relayed request as its client's own copy only if its tag
 * matches (see {@code RequestRelay}).
 *
 * @param tags at most {@link #MAX_TAGS}, one per replica named
 */
public record Authenticator(List<Tag> tags) {
  /** Most tags one authenticator may carry (far above any replica set this runs). */
  public static final int MAX_TAGS = 64;
  /** Bytes of each tag. */
  public static final int TAG_BYTES = 16;

  /** One replica's tag. */
  public record Tag(int replica, byte[] tag) {
    public Tag {
      Objects.requireNonNull(tag, "tag");
      if (tag.length != TAG_BYTES) {
        throw new IllegalArgumentException("an authenticator tag is " + TAG_BYTES + " bytes, not "
            + tag.length);
      }
      tag = tag.clone();
    }

    @Override
    public byte[] tag() {
      return tag.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tag t && replica == t.replica && Arrays.equals(tag, t.tag);
    }

    @Override
    public int hashCode() {
      return 31 * replica + Arrays.hashCode(tag);
    }
  }

  public Authenticator {
    tags = List.copyOf(tags);
    if (tags.isEmpty() || tags.size() > MAX_TAGS) {
      throw new IllegalArgumentException("an authenticator carries 1 to " + MAX_TAGS
          + " tags, not " + tags.size());
    }
    if (tags.stream().map(Tag::replica).distinct().count() != tags.size()) {
      throw new IllegalArgumentException("an authenticator names a replica twice");
    }
  }

  /** The tag made for {@code replica}, or null if it names none for it. */
  public byte[] tagFor(int replica) {
    for (Tag t : tags) {
      if (t.replica() == replica) {
        return t.tag();
      }
    }
    return null;
  }

  /** The bytes every tag covers: the request in the storage codec's layout. */
  public static byte[] covered(Request request) {
    return new BinaryWriter(48 + request.command().length + request.client().value().length())
        .writeRequest(request).toByteArray();
  }
}
