package io.lockstep.order.cuid;

/**
 * Who turns a request's candidate uids into its uid (paper §3.2.3), the setting
 * {@code replica-uid.variant}.
 */
public enum UidChoice {
  /**
   * The paper's fail-stop protocol: every replica disseminates its candidate by agreement, and
   * every replica takes the largest of those from replicas not known to have failed.
   */
  EVERY_REPLICA("every-replica"),
  /**
   * ABCAST (Birman and Joseph): replicas send their candidates to the request's coordinator,
   * the replica that disseminated it, which takes the largest and disseminates the uid; if the
   * coordinator fails, the lowest-numbered live replica takes over. A request is delivered when
   * no smaller candidate of a pending request can appear (the same stability test). Candidates
   * cost one message each instead of a broadcast each.
   */
  ABCAST("abcast");

  private final String setting;

  UidChoice(String setting) {
    this.setting = setting;
  }

  /** The value of {@code replica-uid.variant} that selects this choice. */
  public String setting() {
    return setting;
  }

  /** The choice {@code text} names, or null if it names none. */
  public static UidChoice named(String text) {
    for (UidChoice c : values()) {
      if (c.setting.equals(text)) {
        return c;
      }
    }
    return null;
  }
}
