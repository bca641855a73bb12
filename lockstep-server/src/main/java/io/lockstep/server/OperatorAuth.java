package io.lockstep.server;

import io.lockstep.server.wire.ClientMessage;
import io.lockstep.server.wire.ClientMessage.MemberOperation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
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
 * <p>A cluster whose file names every replica's key may have no cluster secret. There an
 * operator is a keyed client named in {@code cluster.operators}: it signs the same fields with
 * its own Ed25519 key (a 64-byte proof instead of the 32-byte MAC), and a replica accepts the
 * command if one operator's public key verifies it. A cluster with both accepts either proof.
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
  /** The MAC key derived from the cluster secret, or null without one. */
  private final byte[] key;
  /** The operator's own key that signs (the operator's tool only), or null. */
  private final PrivateKey signingKey;
  /** The public keys whose signatures a replica accepts, by operator client id. */
  private final Map<String, PublicKey> operators;
  private final Map<String, Long> seen = new LinkedHashMap<>();

  private OperatorAuth(String cluster, byte[] secret, PrivateKey signingKey,
      Map<String, PublicKey> operators) {
    this.cluster = cluster;
    this.key = secret == null ? null : hmac(secret, LABEL.getBytes(StandardCharsets.UTF_8));
    this.signingKey = signingKey;
    this.operators = Map.copyOf(operators);
  }

  /** The operator key of the cluster named {@code cluster} whose peer secret is {@code secret}. */
  public OperatorAuth(String cluster, byte[] secret) {
    this(cluster, Objects.requireNonNull(secret, "secret"), null, Map.of());
  }

  /**
   * What a replica checks with: the MAC under the cluster secret (if the cluster has one) and
   * the signature of each operator in {@code operators}.
   */
  public static OperatorAuth checking(String cluster, byte[] secret,
      Map<String, PublicKey> operators) {
    return new OperatorAuth(cluster, secret, null, operators);
  }

  /**
   * What an operator's tool signs with: the cluster secret when it has one, else its own key.
   *
   * @throws IllegalArgumentException when it has neither, saying what to configure
   */
  public static OperatorAuth signing(String cluster, byte[] secret, PrivateKey operatorKey) {
    if (secret == null && operatorKey == null) {
      throw new IllegalArgumentException("cluster " + cluster + " has no cluster.secret, so an"
          + " operator signs with its own key: run this as a client named in cluster.operators"
          + " whose client.<id>.private-key-file the cluster file gives");
    }
    return new OperatorAuth(cluster, secret, secret == null ? operatorKey : null, Map.of());
  }

  /** A signed command, as {@code lockstep member} sends it. */
  public ClientMessage.Member sign(long tag, MemberOperation operation, int replica, int other,
      long nowMillis) {
    byte[] nonce = new byte[16];
    new SecureRandom().nextBytes(nonce);
    return new ClientMessage.Member(tag, operation, replica, other, nowMillis, nonce,
        prove(memberFields(operation, replica, other, nowMillis, nonce)));
  }

  /**
   * Why {@code command} is refused, or empty if it is a fresh command signed with the operator
   * key. A command accepted once is refused if it arrives again.
   */
  public synchronized Optional<String> check(ClientMessage.Member command, long nowMillis) {
    if (!proven(memberFields(command.operation(), command.replica(), command.other(),
        command.issuedAtMillis(), command.nonce()), command.mac())) {
      return Optional.of("the membership command is not signed " + provers());
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
        prove(adminFields(command, nowMillis, nonce)));
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
    if (!proven(adminFields(command.command(), command.issuedAtMillis(), command.nonce()),
        command.mac())) {
      return Optional.of("the system command is not signed " + provers());
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

  /** The MAC under the secret's key, or else the operator's own signature (64 bytes). */
  private byte[] prove(byte[] fields) {
    if (key != null) {
      return hmac(key, fields);
    }
    if (signingKey == null) {
      throw new IllegalStateException("a replica's operator check cannot sign commands");
    }
    try {
      Signature signature = Signature.getInstance("Ed25519");
      signature.initSign(signingKey);
      signature.update(fields);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the operator key cannot sign: " + e.getMessage(), e);
    }
  }

  /** A 32-byte proof is the secret's MAC; a 64-byte one an operator's signature. */
  private boolean proven(byte[] fields, byte[] proof) {
    if (proof.length == 32) {
      return key != null && MessageDigest.isEqual(hmac(key, fields), proof);
    }
    for (PublicKey operator : operators.values()) {
      if (verifies(operator, fields, proof)) {
        return true;
      }
    }
    return false;
  }

  private static boolean verifies(PublicKey operator, byte[] fields, byte[] proof) {
    try {
      Signature signature = Signature.getInstance("Ed25519");
      signature.initVerify(operator);
      signature.update(fields);
      return signature.verify(proof);
    } catch (GeneralSecurityException e) {
      return false; // a malformed signature proves nothing
    }
  }

  /** Who could have signed, for a refusal's reason. */
  private String provers() {
    String secret = "with this cluster's secret (cluster.secret in the config file of cluster "
        + cluster + ")";
    String keys = operators.isEmpty() ? "" : "by an operator's key (cluster.operators: "
        + new java.util.TreeSet<>(operators.keySet()) + ")";
    if (key == null) {
      return keys.isEmpty() ? "by an operator's key, and cluster " + cluster + " names no"
          + " operators (cluster.operators) and has no cluster.secret" : keys;
    }
    return keys.isEmpty() ? secret : secret + " or " + keys;
  }

  private byte[] memberFields(MemberOperation operation, int replica, int other,
      long issuedAtMillis, byte[] nonce) {
    byte[] name = cluster.getBytes(StandardCharsets.UTF_8);
    ByteBuffer fields = ByteBuffer.allocate(name.length + 1 + 4 + 4 + 8 + nonce.length);
    fields.put(name).put((byte) operation.ordinal()).putInt(replica).putInt(other)
        .putLong(issuedAtMillis).put(nonce);
    return fields.array();
  }

  /**
   * The byte after the cluster name is a membership operation (0 to 3) in a membership
   * command's proof and {@link #ADMIN_DOMAIN} here, so no proof of one kind is valid for the
   * other.
   */
  private byte[] adminFields(byte[] command, long issuedAtMillis, byte[] nonce) {
    byte[] name = cluster.getBytes(StandardCharsets.UTF_8);
    ByteBuffer fields = ByteBuffer.allocate(name.length + 1 + 4 + command.length + 8
        + nonce.length);
    fields.put(name).put(ADMIN_DOMAIN).putInt(command.length).put(command)
        .putLong(issuedAtMillis).put(nonce);
    return fields.array();
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
