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
 * Proof that a membership command, or a system command changing the clients and output devices
 * ({@link ClientMessage.Admin}), comes from an operator who holds the cluster secret (the
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
  /** Marks a system command's MAC input; membership operations are 0 to 3. */
  private static final byte ADMIN_DOMAIN = (byte) 0x80;

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

  /** A signed system command, as {@code lockstep client} and {@code lockstep device} send it. */
  public ClientMessage.Admin signAdmin(long tag, byte[] command, long nowMillis) {
    byte[] nonce = new byte[16];
    new SecureRandom().nextBytes(nonce);
    return new ClientMessage.Admin(tag, command, nowMillis, nonce,
        adminMac(command, nowMillis, nonce));
  }

  /**
   * Why the system command {@code command} is refused, or empty if it is signed with the
   * operator key and issued within {@link #MAX_SKEW_MILLIS} of {@code nowMillis}. Unlike a
   * membership command, a repeat is not refused here: it is submitted in the same
   * administrator session at the same sequence number (its nonce names the session), so the
   * executor answers it from that session and never runs it twice; that is what lets the
   * operator's tool retry at another replica.
   */
  public Optional<String> checkAdmin(ClientMessage.Admin command, long nowMillis) {
    byte[] expected = adminMac(command.command(), command.issuedAtMillis(), command.nonce());
    if (!MessageDigest.isEqual(expected, command.mac())) {
      return Optional.of("the system command is not signed with this cluster's secret"
          + " (cluster.secret in the config file of cluster " + cluster + ")");
    }
    long skew = Math.abs(nowMillis - command.issuedAtMillis());
    if (skew > MAX_SKEW_MILLIS) {
      return Optional.of("the system command was issued " + skew + " ms from this replica's"
          + " clock (at most " + MAX_SKEW_MILLIS + " ms): check the clocks, or it is a replay");
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

  /**
   * The byte after the cluster name is a membership operation (0 to 3) in a membership
   * command's MAC and {@link #ADMIN_DOMAIN} here, so no MAC of one kind is valid for the other.
   */
  private byte[] adminMac(byte[] command, long issuedAtMillis, byte[] nonce) {
    byte[] name = cluster.getBytes(StandardCharsets.UTF_8);
    ByteBuffer fields = ByteBuffer.allocate(name.length + 1 + 4 + command.length + 8
        + nonce.length);
    fields.put(name).put(ADMIN_DOMAIN).putInt(command.length).put(command)
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
