package io.lockstep.server;

import io.lockstep.server.wire.ClientMessage;
import io.lockstep.server.wire.ClientMessage.MemberOperation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Proof that a membership command comes from an operator who holds the cluster secret (the
 * {@code cluster.secret} every replica's file has). Membership decides who votes, so a command
 * must not be accepted merely because the client port let a connection in: that port may run
 * without client authentication, or with secrets handed to application clients. The command
 * carries an HMAC-SHA256 under a key derived from the cluster secret for this purpose alone,
 * over the cluster name, the operation, its replicas, the time it was issued and a random
 * nonce. A replica refuses one issued more than {@link #MAX_SKEW_MILLIS} from its own wall clock
 * and one whose nonce it has already seen within that window, so a captured command cannot be
 * replayed later (say, to remove a replica that was added back since).
 *
 * <p>Thread-safe: the client port's I/O threads check commands.
 */
public final class OperatorAuth {
  /** How far a command's issue time may be from the replica's clock. */
  public static final long MAX_SKEW_MILLIS = 5 * 60_000;
  /** Nonces remembered at most; past it the oldest are forgotten (they are out of the window). */
  private static final int MAX_NONCES = 100_000;
  private static final String LABEL = "lockstep-operator";

  private final String cluster;
  private final byte[] key;
  private final Map<String, Long> seen = new LinkedHashMap<>();

  /** The operator key of the cluster named {@code cluster} whose peer secret is {@code secret}. */
  public OperatorAuth(String cluster, byte[] secret) {
    this.cluster = cluster;
    this.key = hmac(secret, LABEL.getBytes(StandardCharsets.UTF_8));
  }

  /** A signed command, as {@code lockstep member} sends it. */
  public ClientMessage.Member sign(long tag, MemberOperation operation, int replica, int other,
      long nowMillis) {
    byte[] nonce = new byte[16];
    new SecureRandom().nextBytes(nonce);
    return new ClientMessage.Member(tag, operation, replica, other, nowMillis, nonce,
        mac(operation, replica, other, nowMillis, nonce));
  }

  /**
   * Why {@code command} is refused, or empty if it is a fresh command signed with the operator
   * key. A command accepted once is refused if it arrives again.
   */
  public synchronized Optional<String> check(ClientMessage.Member command, long nowMillis) {
    byte[] expected = mac(command.operation(), command.replica(), command.other(),
        command.issuedAtMillis(), command.nonce());
    if (!MessageDigest.isEqual(expected, command.mac())) {
      return Optional.of("the membership command is not signed with this cluster's secret"
          + " (cluster.secret in the config file of cluster " + cluster + ")");
    }
    long skew = Math.abs(nowMillis - command.issuedAtMillis());
    if (skew > MAX_SKEW_MILLIS) {
      return Optional.of("the membership command was issued " + skew + " ms from this replica's"
          + " clock (at most " + MAX_SKEW_MILLIS + " ms): check the clocks, or it is a replay");
    }
    forgetBefore(nowMillis - MAX_SKEW_MILLIS);
    String nonce = java.util.HexFormat.of().formatHex(command.nonce());
    if (seen.putIfAbsent(nonce, command.issuedAtMillis()) != null) {
      return Optional.of("the membership command was already received once (a replay)");
    }
    return Optional.empty();
  }

  private void forgetBefore(long oldest) {
    Iterator<Long> issued = seen.values().iterator();
    while (issued.hasNext()) {
      long at = issued.next();
      if (at >= oldest && seen.size() < MAX_NONCES) {
        return; // insertion order is nearly issue order: the rest are newer
      }
      issued.remove();
    }
  }

  private byte[] mac(MemberOperation operation, int replica, int other, long issuedAtMillis,
      byte[] nonce) {
    byte[] name = cluster.getBytes(StandardCharsets.UTF_8);
    ByteBuffer fields = ByteBuffer.allocate(name.length + 1 + 4 + 4 + 8 + nonce.length);
    fields.put(name).put((byte) operation.ordinal()).putInt(replica).putInt(other)
        .putLong(issuedAtMillis).put(nonce);
    return hmac(key, fields.array());
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
    }
  }
}
