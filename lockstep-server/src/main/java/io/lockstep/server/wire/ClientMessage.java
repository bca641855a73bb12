package io.lockstep.server.wire;

import io.lockstep.configuration.MemberAddresses;
import io.lockstep.machine.ClientId;
import io.lockstep.replica.LocalRead;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The client protocol on a replica's client port (paper §2: requests go in, replies come back as
 * messages and clients are never blocked). Every message carries a {@code tag} chosen by the
 * sender of the question and echoed in the answer, so many questions can be in flight on one
 * connection; a replica forwarding for others keeps its own tags.
 */
public sealed interface ClientMessage {
  /** The correlation tag of the question this message is or answers. */
  long tag();

  /**
   * The tag of a {@link Replied} that answers no question on its connection: a replica pushes
   * the reply of a request it executed but was not handed to the client that proved its key
   * there, and the client matches it by (client, sequence). Clients number their questions
   * from 1.
   */
  long UNASKED = 0;

  /**
   * A request to order and apply (S2); retried with the same (client, sequence) (X4).
   *
   * @param learnsConfiguration the sender reads the configuration version in replies (paper
   *     §7: clients learn the configuration from replies), so the replica sends it; a client
   *     of an earlier build sends false and gets replies in the layout it reads
   * @param clientSignature the client's own Ed25519 signature over the request ({@link
   *     io.lockstep.request.RequestSignature}), or null: a client that hands each request to ONE
   *     replica of a Byzantine classic order signs it, so that the other replicas take it on
   *     that one carrier's word (paper §3.1); a broadcasting client need not
   * @param authenticator the client's MAC authenticator over the request, or null: a client of
   *     a PBFT cluster hands each request to one replica with it, and that replica relays the
   *     request to the others, each of which checks its own tag
   */
  record Submit(long tag, Request request, boolean learnsConfiguration, byte[] clientSignature,
      Authenticator authenticator) implements ClientMessage {
    public Submit {
      Objects.requireNonNull(request, "request");
      if ((clientSignature != null || authenticator != null) && !learnsConfiguration) {
        // One frame type each carries a signed or an authenticated request (ClientCodec types
        // 16 and 17), and only clients of the build that reads configuration versions send them.
        throw new IllegalArgumentException("a signed or authenticated request comes from a client"
            + " that reads configuration versions (learnsConfiguration must be true)");
      }
      if (clientSignature != null && authenticator != null) {
        throw new IllegalArgumentException("a request is either signed or authenticated, not both");
      }
      clientSignature = clientSignature == null ? null : clientSignature.clone();
    }

    /** A request with its client's signature, or (null) an unsigned one. */
    public Submit(long tag, Request request, boolean learnsConfiguration,
        byte[] clientSignature) {
      this(tag, request, learnsConfiguration, clientSignature, null);
    }

    /** An unsigned request. */
    public Submit(long tag, Request request, boolean learnsConfiguration) {
      this(tag, request, learnsConfiguration, null, null);
    }

    /** An unsigned request from a sender that does not read configuration versions. */
    public Submit(long tag, Request request) {
      this(tag, request, false, null, null);
    }

    /** A copy, so that no holder can alter the signature another holder forwards. */
    @Override
    public byte[] clientSignature() {
      return clientSignature == null ? null : clientSignature.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Submit s && tag == s.tag && request.equals(s.request)
          && learnsConfiguration == s.learnsConfiguration
          && Arrays.equals(clientSignature, s.clientSignature)
          && Objects.equals(authenticator, s.authenticator);
    }

    @Override
    public int hashCode() {
      return Objects.hash(tag, request, learnsConfiguration, Arrays.hashCode(clientSignature),
          authenticator);
    }
  }

  /** A linearizable read-only query (S12: ReadIndex through the leader). */
  record Read(long tag, ClientId client, byte[] query) implements ClientMessage {
    public Read {
      Objects.requireNonNull(client, "client");
      Objects.requireNonNull(query, "query");
      if (query.length > Request.MAX_COMMAND_BYTES) {
        throw new IllegalArgumentException("query is " + query.length + " bytes, the limit is "
            + Request.MAX_COMMAND_BYTES);
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Read r && tag == r.tag && client.equals(r.client)
          && Arrays.equals(query, r.query);
    }

    @Override
    public int hashCode() {
      return Objects.hash(tag, client, Arrays.hashCode(query));
    }
  }

  /**
   * A read-only query for the replica it is sent to alone (paper §3: under fail-stop a read-only
   * request may go to one replica), answered at once from the state it has applied, with no
   * protocol round: possibly stale, never reflecting a request that is not stable. Refused in the
   * Byzantine model.
   *
   * @param minPosition the position the answer must reflect at least (the client's own last
   *     write, for read-your-writes; 0 for none); a replica that has not applied it answers
   *     {@link OneReplicaResult} with {@code behind}
   */
  record ReadOneReplica(long tag, ClientId client, byte[] query, long minPosition)
      implements ClientMessage {
    public ReadOneReplica {
      Objects.requireNonNull(client, "client");
      Objects.requireNonNull(query, "query");
      if (query.length > Request.MAX_COMMAND_BYTES) {
        throw new IllegalArgumentException("query is " + query.length + " bytes, the limit is "
            + Request.MAX_COMMAND_BYTES);
      }
      if (minPosition < 0) {
        throw new IllegalArgumentException("minPosition is " + minPosition + ", negative");
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ReadOneReplica r && tag == r.tag && client.equals(r.client)
          && Arrays.equals(query, r.query) && minPosition == r.minPosition;
    }

    @Override
    public int hashCode() {
      return Objects.hash(tag, client, Arrays.hashCode(query), minPosition);
    }
  }

  /**
   * The answer to a {@link ReadOneReplica}: the replica's {@link LocalRead} (its output, or why
   * it refused, and the position it had applied) and which replica answered.
   */
  record OneReplicaResult(long tag, LocalRead read, int replica) implements ClientMessage {
    public OneReplicaResult {
      Objects.requireNonNull(read, "read");
      if (read.position() < 0) {
        throw new IllegalArgumentException("position is " + read.position() + ", negative");
      }
    }
  }

  /** A replica's output for a {@link Submit} (paper §4: what the client's voter counts). */
  record Replied(long tag, Reply reply) implements ClientMessage {
    public Replied {
      Objects.requireNonNull(reply, "reply");
    }
  }

  /** The answer to a {@link Read}; {@code result.readId()} equals {@code tag}. */
  record ReadResult(long tag, QueryResult result) implements ClientMessage {
    public ReadResult {
      Objects.requireNonNull(result, "result");
    }
  }

  /**
   * This replica does not lead: retry at the leader. Nothing was ordered.
   *
   * @param leaderHint the replica believed to lead, or -1
   * @param leaderAddress its client address as {@code host:port}, or empty when unknown
   * @param reason why, for logs
   */
  record Redirect(long tag, int leaderHint, String leaderAddress, String reason)
      implements ClientMessage {
    public Redirect {
      Objects.requireNonNull(leaderAddress, "leaderAddress");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The replica could not take the question (queue full, shutting down, bad input). Nothing was
   * ordered by this attempt; a retry may succeed.
   */
  record Busy(long tag, String reason) implements ClientMessage {
    public Busy {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * An operator's membership command (paper §7: the configuration is changed by ordered
   * commands). It proves the cluster secret or an operator's key itself ({@code mac}, see
   * {@code io.lockstep.server.OperatorAuth}), because the client port may run without client
   * authentication; {@code issuedAtMillis} and {@code nonce} keep a captured command from
   * being replayed later.
   *
   * @param operation what to do
   * @param replica the replica to add or remove (for {@code REPLACE}: the one to remove), or -1
   * @param other for {@code REPLACE}, the replica to add in its place; otherwise -1
   * @param issuedAtMillis the operator's wall clock when it signed the command
   * @param nonce 16 random bytes, never reused
   * @param mac HMAC-SHA256 over the fields above with the operator key (32 bytes), or an
   *     operator's Ed25519 signature over them (64 bytes) in a cluster with keys
   */
  record Member(long tag, MemberOperation operation, int replica, int other,
      long issuedAtMillis, byte[] nonce, byte[] mac) implements ClientMessage {
    public Member {
      Objects.requireNonNull(operation, "operation");
      Objects.requireNonNull(nonce, "nonce");
      Objects.requireNonNull(mac, "mac");
      if (nonce.length != 16 || !operatorProof(mac)) {
        throw new IllegalArgumentException("a member command needs a 16-byte nonce and a 32-byte"
            + " mac or 64-byte signature, got " + nonce.length + " and " + mac.length);
      }
      nonce = nonce.clone();
      mac = mac.clone();
    }

    @Override
    public byte[] nonce() {
      return nonce.clone();
    }

    @Override
    public byte[] mac() {
      return mac.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Member m && tag == m.tag && operation == m.operation
          && replica == m.replica && other == m.other && issuedAtMillis == m.issuedAtMillis
          && Arrays.equals(nonce, m.nonce) && Arrays.equals(mac, m.mac);
    }

    @Override
    public int hashCode() {
      return Objects.hash(tag, operation, replica, other, issuedAtMillis);
    }
  }

  /**
   * An operator's system command (paper §7: clients and output devices are changed by ordered
   * commands; {@code io.lockstep.configuration.SystemCommands}), signed like a {@link Member}
   * command with the operator key, so that the client port's own authentication (which may be
   * a secret shared with every application client) never decides who changes the
   * configuration. The replica that checks it submits {@code command} as the administrator's
   * session named after {@code nonce} at sequence 1, so a retry of the same signed command
   * (at any replica) is answered from that session and never runs twice.
   *
   * @param command the system command's bytes ({@code SystemCommands.encode})
   * @param issuedAtMillis the operator's wall clock when it signed the command
   * @param nonce 16 random bytes, never reused
   * @param mac HMAC-SHA256 over the cluster name, the command, the time and the nonce (32
   *     bytes), or an operator's Ed25519 signature over them (64 bytes)
   */
  record Admin(long tag, byte[] command, long issuedAtMillis, byte[] nonce, byte[] mac)
      implements ClientMessage {
    public Admin {
      Objects.requireNonNull(command, "command");
      Objects.requireNonNull(nonce, "nonce");
      Objects.requireNonNull(mac, "mac");
      if (nonce.length != 16 || !operatorProof(mac)) {
        throw new IllegalArgumentException("a system command needs a 16-byte nonce and a 32-byte"
            + " mac or 64-byte signature, got " + nonce.length + " and " + mac.length);
      }
      if (command.length > Request.MAX_COMMAND_BYTES) {
        throw new IllegalArgumentException("system command is " + command.length
            + " bytes, the limit is " + Request.MAX_COMMAND_BYTES);
      }
      command = command.clone();
      nonce = nonce.clone();
      mac = mac.clone();
    }

    @Override
    public byte[] command() {
      return command.clone();
    }

    @Override
    public byte[] nonce() {
      return nonce.clone();
    }

    @Override
    public byte[] mac() {
      return mac.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Admin a && tag == a.tag && issuedAtMillis == a.issuedAtMillis
          && Arrays.equals(command, a.command) && Arrays.equals(nonce, a.nonce)
          && Arrays.equals(mac, a.mac);
    }

    @Override
    public int hashCode() {
      return Objects.hash(tag, issuedAtMillis, Arrays.hashCode(nonce));
    }
  }

  /** The membership commands an operator may send. */
  enum MemberOperation { LIST, ADD, REMOVE, REPLACE }

  /**
   * The answer to a {@link Member} command: done ({@code ok}) or refused with the reason, and
   * the configuration as the leader sees it afterwards, in words for the operator.
   */
  record MemberResult(long tag, boolean ok, String text) implements ClientMessage {
    /**
     * How a replica ends a refusal after which the same command may be sent again: it changed
     * nothing and may succeed later (no leader known during an election, another change in
     * flight, a loop queue full), or it was cut short by a leader change and, asked again,
     * carries on from the configuration in force.
     */
    public static final String TRY_AGAIN = "try again";

    public MemberResult {
      Objects.requireNonNull(text, "text");
    }

    /** True for a refusal after which the same command may be sent again ({@link #TRY_AGAIN}). */
    public boolean mayTryAgain() {
      return !ok && text.contains(TRY_AGAIN);
    }
  }

  /**
   * A machine joining from a small file asks where the replicas are (paper §7: the
   * configuration, replicas' addresses included, is replicated state; the original replicas'
   * addresses are only in their cluster file, so the replica answers from both). Any client
   * that passed the port's handshake may ask: the answer holds addresses and public keys, no
   * secret.
   */
  record AddressBookAsk(long tag) implements ClientMessage {}

  /**
   * One replica in an {@link AddressBookAnswer}.
   *
   * @param addresses where it is: the record in the replicated configuration if there is one,
   *     else the answering replica's cluster file; {@code http} and {@code redis} are "" when
   *     unknown (a record made without {@code --http}/{@code --redis})
   * @param initialVoter whether the answering replica's file puts it in the initial
   *     configuration (not a spare): a joiner must start from the same initial configuration as
   *     every replica, because a log that holds no configuration entry yet means exactly that one
   */
  record BookEntry(MemberAddresses addresses, boolean initialVoter) {
    public BookEntry {
      Objects.requireNonNull(addresses, "addresses");
    }
  }

  /**
   * The answer to an {@link AddressBookAsk}: every replica the answering replica knows of (its
   * file's and those the replicated configuration records), by increasing id.
   */
  record AddressBookAnswer(long tag, List<BookEntry> entries) implements ClientMessage {
    /** Most entries accepted: far above any replica set, low enough to bound a frame. */
    public static final int MAX_ENTRIES = 1024;

    public AddressBookAnswer {
      entries = List.copyOf(entries);
      if (entries.size() > MAX_ENTRIES) {
        throw new IllegalArgumentException(entries.size() + " address book entries, the limit is "
            + MAX_ENTRIES);
      }
      Set<Integer> seen = new HashSet<>();
      for (BookEntry e : entries) {
        if (!seen.add(e.addresses().replica())) {
          throw new IllegalArgumentException("replica " + e.addresses().replica()
              + " is in the address book twice");
        }
      }
    }
  }

  /** An operator command's proof: an HMAC-SHA256 (32 bytes) or an Ed25519 signature (64). */
  private static boolean operatorProof(byte[] proof) {
    return proof.length == 32 || proof.length == 64;
  }
}
