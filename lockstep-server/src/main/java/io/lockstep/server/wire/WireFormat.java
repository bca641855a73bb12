package io.lockstep.server.wire;

import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.Codec;
import io.lockstep.storage.codec.CodecException;

/**
 * Shared framing of every payload: {@code u8 version, u8 type, fields…}. The transport
 * (lockstep-net) already checksums and authenticates each frame, so payloads carry no checksum of
 * their own.
 */
final class WireFormat {
  /** Payload format version; bumped on any incompatible change. */
  static final int VERSION = 1;

  private WireFormat() {}

  /** Opens a reader on {@code payload}, checking the version; returns it positioned at the type. */
  static BinaryReader open(byte[] payload, String what) {
    if (payload == null) {
      throw new CodecException(what + ": no payload");
    }
    if (payload.length < 2) {
      throw new CodecException(what + ": " + payload.length + " bytes is too short for a header");
    }
    int version = payload[0] & 0xFF;
    if (version != VERSION) {
      throw new CodecException(what + ": unsupported wire version " + version
          + "; this build speaks version " + VERSION);
    }
    return new BinaryReader(payload, 1, payload.length - 1, Codec.VERSION);
  }
}
