package dev.tokenauthority.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The value of an option the command line does not give: its {@code TA_*} environment
 * variable, else its key in the config file ({@code --config} / {@code TA_CONFIG}), else null,
 * and picocli falls back to the option's built-in default. So the precedence is
 * flag &gt; environment &gt; config file &gt; default, for every option alike.
 *
 * <p>The file is a properties file whose keys are the long option names without the leading
 * dashes ({@code grpc-port=50051}). A key no option has, or a file that cannot be read, is
 * recorded and refused as a usage error by {@link #check} before anything starts.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
  static final String CONFIG_OPTION = "--config";
  private static final String CONFIG_ENV = "TA_CONFIG";

  private Path loadedFrom;
  private Properties values;
  private String error;

  /** The environment variable of an option: {@code --db-pool-size} reads {@code TA_DB_POOL_SIZE}. */
  static String envName(OptionSpec option) {
    return "TA_" + key(option).toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** The option's key in a config file: its long name without the dashes. */
  static String key(OptionSpec option) {
    return option.longestName().replaceFirst("^--", "");
  }

  /** Options a config file may set: all but help, version and the config file itself. */
  static boolean configurable(OptionSpec option) {
    return !option.usageHelp() && !option.versionHelp() && !option.longestName().equals(CONFIG_OPTION);
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
      return null;
    }
    String fromEnv = Main.of(option.command()).env.get(envName(option));
    if (fromEnv != null) {
      return fromEnv;
    }
    if (!configurable(option)) {
      return null;
    }
    Properties file = load(option.command());
    return file == null ? null : file.getProperty(key(option));
  }

  /** Throws a usage error if the config file in effect cannot be read or holds a key no option has. */
  void check(CommandSpec spec) {
    load(spec);
    if (error != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), error);
    }
  }

  /** The config file's values, or null when there is none (or it is broken: see {@link #error}). */
  private synchronized Properties load(CommandSpec spec) {
    Main main = Main.of(spec);
    Path path = main.configFile != null ? main.configFile
        : main.env.get(CONFIG_ENV) == null || main.env.get(CONFIG_ENV).isBlank() ? null : Path.of(main.env.get(CONFIG_ENV));
    if (path == null) {
      return null;
    }
    if (path.equals(loadedFrom)) {
      return values;
    }
    loadedFrom = path;
    values = null;
    error = null;
    Properties file = new Properties();
    try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      file.load(reader);
    } catch (IOException | IllegalArgumentException e) {
      error = "cannot read the config file " + path + ": " + e.getClass().getSimpleName() + " " + e.getMessage();
      return null;
    }
    Set<String> known = spec.options().stream().filter(ConfigDefaults::configurable).map(ConfigDefaults::key)
        .collect(Collectors.toSet());
    Set<String> unknown = new TreeSet<>(file.stringPropertyNames());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      error = "the config file " + path + " has unknown key" + (unknown.size() > 1 ? "s " : " ")
          + unknown.stream().map(k -> "'" + k + "'").collect(Collectors.joining(", "))
          + ": keys are option names without the leading dashes, e.g. grpc-port=50051 (see --help)";
      return null;
    }
    Properties trimmed = new Properties();
    file.stringPropertyNames().forEach(k -> trimmed.setProperty(k, file.getProperty(k).trim()));
    values = trimmed;
    return values;
  }
}
