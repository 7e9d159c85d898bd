package io.shopflow.marketing.pipelines.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config FILE}: a {@code .properties} file whose keys are long option names without the
 * dashes ({@code bootstrap-servers=kafka-0:9092}, {@code checkpoint-interval=30s}). Its values
 * replace the built-in defaults of every option, including options added later; options given on
 * the command line win over the file. {@code ${env:NAME}} in a value is replaced by the environment
 * variable (for secrets mounted as variables). A key that is no option of the command is refused,
 * so that a typo never goes unnoticed.
 */
public final class ConfigFile implements IDefaultValueProvider {
  static final String NAME = "--config";
  private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

  private final Path file;
  private final Properties values;
  private final Function<String, String> env;

  ConfigFile(Path file, Properties values, Function<String, String> env) {
    this.file = file;
    this.values = values;
    this.env = env;
  }

  /**
   * Installs the file named by {@code --config FILE} (or {@code --config=FILE}) in {@code args} as
   * the default value provider of {@code cl} and all its subcommands; without one, {@code cl} is
   * returned unchanged.
   */
  public static CommandLine install(CommandLine cl, String[] args) {
    return install(cl, args, System::getenv);
  }

  static CommandLine install(CommandLine cl, String[] args, Function<String, String> env) {
    Path file = fileArgument(args);
    if (file == null) {
      return cl;
    }
    Properties values = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      values.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + NAME + " " + file, e);
    }
    ConfigFile provider = new ConfigFile(file, values, env);
    provider.refuseUnknownKeys(cl, args);
    cl.setDefaultValueProvider(provider);
    return cl;
  }

  static Path fileArgument(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--")) {
        return null;
      }
      if (args[i].equals(NAME) && i + 1 < args.length) {
        return Path.of(args[i + 1]);
      }
      if (args[i].startsWith(NAME + "=")) {
        return Path.of(args[i].substring(NAME.length() + 1));
      }
    }
    return null;
  }

  /** The keys must be options of the subcommand being run (the first argument naming one). */
  private void refuseUnknownKeys(CommandLine cl, String[] args) {
    CommandSpec spec = cl.getCommandSpec();
    for (String a : args) {
      CommandLine sub = cl.getSubcommands().get(a);
      if (sub != null) {
        spec = sub.getCommandSpec();
        break;
      }
    }
    Set<String> known = new TreeSet<>();
    for (OptionSpec o : spec.options()) {
      known.add(key(o));
    }
    Set<String> unknown = new TreeSet<>();
    for (String k : values.stringPropertyNames()) {
      if (!known.contains(k) || k.equals(NAME.substring(2))) {
        unknown.add(k);
      }
    }
    if (!unknown.isEmpty()) {
      throw new CommandLine.ParameterException(
          cl,
          "unknown key(s) in "
              + file
              + ": "
              + unknown
              + " (keys are the long option names of `"
              + spec.name()
              + "` without the dashes)");
    }
  }

  private static String key(OptionSpec o) {
    return o.longestName().replaceFirst("^-+", "");
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec o) || o.usageHelp() || o.versionHelp()) {
      return null;
    }
    String v = values.getProperty(key(o));
    return v == null ? null : expand(v.trim());
  }

  String expand(String v) {
    Matcher m = ENV.matcher(v);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.apply(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException(
            file + ": environment variable " + m.group(1) + " is not set");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
