package io.lockstep.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses the workload options shared by the benchmark mains, without a CLI library so that peer
 * benchmarks need nothing but this module: {@code --clients N}, {@code --duration 20s},
 * {@code --warmup 5s}, {@code --write F}, {@code --read F}, {@code --cas F},
 * {@code --value-size BYTES}, {@code --keys N} (also as {@code --name=value}). Fractions not
 * given are 0; with none given the mix is all writes.
 */
public final class WorkloadArgs {

  /** Usage text for the options parsed here. */
  public static final String USAGE = String.join(System.lineSeparator(),
      "  --clients N        closed-loop clients (default 32)",
      "  --duration T       measured time, e.g. 20s, 500ms, 2m (default 20s)",
      "  --warmup T         unmeasured time before it (default 5s)",
      "  --write F          share of writes (default 1.0 if no share is given, else 0)",
      "  --read F           share of linearizable reads (default 0)",
      "  --cas F            share of compare-and-sets (default 0)",
      "  --value-size B     bytes per value (default 100)",
      "  --keys N           distinct keys (default 10000)");

  private int clients = 32;
  private Duration duration = Duration.ofSeconds(20);
  private Duration warmup = Duration.ofSeconds(5);
  private Double write;
  private Double read;
  private Double cas;
  private int valueSize = 100;
  private int keys = 10_000;

  private WorkloadArgs() {}

  /**
   * Parses the workload options in {@code args}; every other argument (and the value following
   * it, if it does not start with {@code --}) is appended to {@code rest} in order.
   *
   * @throws IllegalArgumentException naming the option whose value is missing or malformed, or
   *     the workload rule that the values break
   */
  public static Workload parse(List<String> args, List<String> rest) {
    WorkloadArgs parsed = new WorkloadArgs();
    List<String> expanded = expand(args);
    for (int i = 0; i < expanded.size(); i++) {
      String name = expanded.get(i);
      boolean hasValue = i + 1 < expanded.size();
      if (parsed.isOption(name)) {
        if (!hasValue) {
          throw new IllegalArgumentException("option " + name + " needs a value");
        }
        parsed.set(name, expanded.get(++i));
      } else {
        rest.add(name);
      }
    }
    return parsed.toWorkload();
  }

  /** Parses {@code 20s}, {@code 500ms}, {@code 2m}, {@code 1h} or a bare number of seconds. */
  public static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      long amount = Long.parseLong(t.replaceAll("[smh]$", ""));
      return switch (t.charAt(t.length() - 1)) {
        case 'm' -> Duration.ofMinutes(amount);
        case 'h' -> Duration.ofHours(amount);
        default -> Duration.ofSeconds(amount);
      };
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new IllegalArgumentException(
          "not a duration: '" + text + "' (use e.g. 20s, 500ms, 2m)", e);
    }
  }

  private static List<String> expand(List<String> args) {
    List<String> out = new ArrayList<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 2) {
        out.add(arg.substring(0, eq));
        out.add(arg.substring(eq + 1));
      } else {
        out.add(arg);
      }
    }
    return out;
  }

  private boolean isOption(String name) {
    return switch (name) {
      case "--clients", "--duration", "--warmup", "--write", "--read", "--cas", "--value-size",
          "--keys" -> true;
      default -> false;
    };
  }

  private void set(String name, String value) {
    switch (name) {
      case "--clients" -> clients = parseInt(name, value);
      case "--duration" -> duration = parseDuration(value);
      case "--warmup" -> warmup = parseDuration(value);
      case "--write" -> write = parseFraction(name, value);
      case "--read" -> read = parseFraction(name, value);
      case "--cas" -> cas = parseFraction(name, value);
      case "--value-size" -> valueSize = parseInt(name, value);
      case "--keys" -> keys = parseInt(name, value);
      default -> throw new IllegalStateException("unhandled option " + name);
    }
  }

  private Workload toWorkload() {
    boolean noMix = write == null && read == null && cas == null;
    double w = noMix ? 1.0 : orZero(write);
    return new Workload(clients, duration, warmup, w, orZero(read), orZero(cas), valueSize, keys);
  }

  private static double orZero(Double fraction) {
    return fraction == null ? 0.0 : fraction;
  }

  private static int parseInt(String name, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " needs a whole number, got '" + value + "'", e);
    }
  }

  private static double parseFraction(String name, String value) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " needs a number in [0, 1], got '" + value + "'",
          e);
    }
  }
}
