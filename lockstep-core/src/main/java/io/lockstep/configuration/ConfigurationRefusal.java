package io.lockstep.configuration;

/**
 * Why a system command was refused; its message is the reply's reason. Built from the
 * command and the configuration only, so every replica refuses with the same text.
 */
public final class ConfigurationRefusal extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ConfigurationRefusal(String reason) {
    super(reason, null, false, false);
  }
}
