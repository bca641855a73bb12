package io.lockstep.redis;

import io.lockstep.machine.ClientId;
import java.util.Objects;

/**
 * Per-connection state of one Redis client: its identity in the replicated service, what
 * {@code CLIENT SETNAME}/{@code SETINFO} recorded, and the transaction it is queuing between
 * {@code MULTI} and {@code EXEC}. Confined to the connection's I/O thread.
 */
public final class ClientSession {
  private final long id;
  private ClientId clientId;
  private final String remoteAddress;
  private final int localPort;
  private String name = "";
  private String libName = "";
  private String libVersion = "";
  private boolean authenticated;
  /** The open transaction (after MULTI, before EXEC or DISCARD), or null. */
  private Transaction transaction;

  /**
   * @param id the connection number, shown by {@code CLIENT ID}
   * @param clientId the client's identity in the replicated service
   * @param remoteAddress the peer's address as {@code host:port}
   * @param localPort the server port it connected to
   */
  public ClientSession(long id, ClientId clientId, String remoteAddress, int localPort) {
    this.id = id;
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.remoteAddress = Objects.requireNonNull(remoteAddress, "remoteAddress");
    this.localPort = localPort;
  }

  public long id() {
    return id;
  }

  /** The identity the connection's next request is issued under. */
  public ClientId clientId() {
    return clientId;
  }

  /**
   * Moves the connection to a fresh identity in the replicated service, after a write whose
   * outcome is unknown: its sequence number may never be ordered, and the executor would hold
   * every later write of the old identity behind that gap (O1).
   */
  void renew(ClientId fresh) {
    clientId = Objects.requireNonNull(fresh, "fresh");
  }

  /** True between {@code MULTI} and {@code EXEC} or {@code DISCARD}. */
  public boolean inTransaction() {
    return transaction != null;
  }

  /** The open transaction, or null. */
  Transaction transaction() {
    return transaction;
  }

  /** Starts queuing ({@code MULTI}). */
  void beginTransaction() {
    if (transaction != null) {
      throw new IllegalStateException("connection " + id + " is already in a transaction");
    }
    transaction = new Transaction();
  }

  /** Stops queuing ({@code EXEC}, {@code DISCARD}); returns what was queued, or null. */
  Transaction endTransaction() {
    Transaction ended = transaction;
    transaction = null;
    return ended;
  }

  public String remoteAddress() {
    return remoteAddress;
  }

  public int localPort() {
    return localPort;
  }

  /** True once the connection gave the password with {@code AUTH} (when one is required). */
  public boolean authenticated() {
    return authenticated;
  }

  void authenticated(boolean value) {
    authenticated = value;
  }

  /** The name set by {@code CLIENT SETNAME}, empty if none. */
  public String name() {
    return name;
  }

  void name(String newName) {
    name = Objects.requireNonNull(newName, "name");
  }

  String libName() {
    return libName;
  }

  String libVersion() {
    return libVersion;
  }

  void libName(String value) {
    libName = value;
  }

  void libVersion(String value) {
    libVersion = value;
  }
}
