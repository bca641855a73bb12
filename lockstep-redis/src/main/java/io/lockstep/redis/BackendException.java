package io.lockstep.redis;

/**
 * Why a {@link RedisBackend} could not give a command's output: an explicit client-visible
 * outcome (rejected with a reason, not leader, indeterminate). Complete a backend future
 * exceptionally with one of these; the server turns it into a Redis error reply whose first word is
 * the error code.
 */
public abstract sealed class BackendException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private BackendException(String message) {
    super(message, null, false, false);
  }

  /** The error line sent to the client (without the leading {@code -}). */
  public abstract String redisError();

  /**
   * The request was refused and changed nothing: the state machine's or the executor's
   * rejection (paper §5.2), or the backend's own (e.g. overloaded). A reason that starts with an
   * upper-case error code ({@code ERR …}, {@code OOM …}) is sent as it is; otherwise {@code ERR}
   * is put in front.
   */
  public static final class Rejected extends BackendException {
    private static final long serialVersionUID = 1L;

    public Rejected(String reason) {
      super(reason == null || reason.isBlank() ? "rejected" : reason);
    }

    @Override
    public String redisError() {
      String reason = getMessage();
      return reason.matches("[A-Z][A-Z_]*( .*)?") ? reason : "ERR " + reason;
    }
  }

  /**
   * This replica does not lead and could not forward the request.
   */
  public static final class NotLeader extends BackendException {
    private static final long serialVersionUID = 1L;
    private final int leaderHint;
    private final String leaderAddress;

    /**
     * @param leaderHint the replica believed to lead, or -1
     * @param leaderAddress its Redis address as {@code host:port}, or null
     */
    public NotLeader(int leaderHint, String leaderAddress) {
      super("not the leader" + (leaderHint < 0 ? "" : "; the leader is replica " + leaderHint));
      this.leaderHint = leaderHint;
      this.leaderAddress = leaderAddress;
    }

    public int leaderHint() {
      return leaderHint;
    }

    public String leaderAddress() {
      return leaderAddress;
    }

    @Override
    public String redisError() {
      if (leaderHint < 0) {
        return "NOTLEADER this replica is not the leader and no leader is known; retry shortly";
      }
      return "NOTLEADER this replica is not the leader; the leader is replica " + leaderHint
          + (leaderAddress == null ? "" : " at " + leaderAddress);
    }
  }

  /**
   * The replica was too busy to take the command (its queue or a byte budget was full) for as
   * long as the request timeout allowed, and the command was not run. Retryable: the client may
   * send it again after a pause. Sent as {@code -BUSY …}, which Redis clients know as a
   * transient condition (Jedis raises {@code JedisBusyException}). Only for commands that
   * change nothing (reads); a write without an outcome is {@link Indeterminate}.
   */
  public static final class Busy extends BackendException {
    private static final long serialVersionUID = 1L;

    public Busy(String reason) {
      super(reason == null || reason.isBlank() ? "busy" : reason);
    }

    @Override
    public String redisError() {
      return "BUSY the replica is overloaded and did not run the command (" + getMessage()
          + "); retry it after a pause";
    }
  }

  /**
   * The replicated service no longer knew the connection's session (it was evicted while idle,
   * X4): the command was not applied. The connection gets a fresh session, so a retry works.
   */
  public static final class SessionExpired extends BackendException {
    private static final long serialVersionUID = 1L;

    public SessionExpired() {
      super("the connection's session expired");
    }

    @Override
    public String redisError() {
      return "ERR the connection's session expired while idle and the command was not applied;"
          + " the connection has a new session: retry the command";
    }
  }

  /**
   * The request may or may not have taken effect (timed out after it was submitted, or the leader
   * changed under it). Never reported as a failure (the write may still commit): the client must
   * read to find out.
   */
  public static final class Indeterminate extends BackendException {
    private static final long serialVersionUID = 1L;

    public Indeterminate(String reason) {
      super(reason == null ? "timed out" : reason);
    }

    @Override
    public String redisError() {
      return "TIMEOUT outcome unknown, the command may or may not have been applied: "
          + getMessage();
    }
  }
}
