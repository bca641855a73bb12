package io.lockstep.cli;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.SystemCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep device list|add NAME|remove NAME}: admits or removes an output device (paper
 * §4 and §7: a removed device acts on no output from the stated position on). Signed with the
 * cluster secret of the config file, as {@code lockstep client} is.
 */
@Command(
    name = "device",
    mixinStandardHelpOptions = true,
    header = "Lists, admits or removes output devices (ordered system commands).",
    description = {
        "list          shows admitted devices and removed ones with the position of removal",
        "add NAME      admits output device NAME (again, if it was removed)",
        "remove NAME   removes it: it acts on no output from the stated position on (a",
        "              device polls the configuration when a reply's version is newer)",
        "Sent to any replica and ordered by the leader; signed with the cluster secret",
        "of the config file. Prints the position at which the change takes effect.",
        "Exit status: 0 done, 1 refused or failed, 2 usage error."})
public final class DeviceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Mixin ClientIdentity identity;

  @Mixin ConfigurationChange change;

  @Parameters(index = "0", paramLabel = "ACTION", description = "list, add or remove")
  String action;

  @Parameters(index = "1", paramLabel = "NAME", arity = "0..1", description = "the device name")
  String name;

  @Override
  public Integer call() throws InterruptedException {
    return change.run(spec, cluster, identity, "device", action, name,
        SystemCommand.AddDevice::new, SystemCommand.RemoveDevice::new, DeviceCommand::list);
  }

  private static String list(ClusterConfiguration c) {
    StringBuilder out = new StringBuilder("admitted: ");
    out.append(c.devices().isEmpty() ? "every device not removed (none added by name)"
        : c.devices().toString());
    out.append(System.lineSeparator()).append("removed: ");
    if (c.removedDevices().isEmpty()) {
      out.append("none");
    }
    c.removedDevices().forEach((device, at) -> out.append(device).append(" at ").append(at)
        .append(' '));
    return out.toString().strip();
  }
}
