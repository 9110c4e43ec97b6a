package dev.tokenauthority.cli;

import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.client.TokenAuthorityException;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code ta}: the root command. Holds the global options, the channel, and the error → exit code mapping. */
@Command(name = "ta", mixinStandardHelpOptions = true, versionProvider = TaCommand.Version.class,
    description = "Token Authority on the command line: mint, list, inspect and revoke tokens; keys, directory, audit.",
    subcommands = {
        TokenCommands.WorkspaceTokens.class,
        TokenCommands.AccessTokens.class,
        TokenCommands.ApiTokens.class,
        TokenCommands.RecordTokens.class,
        TokenCommands.FaultTokens.class,
        MiscCommands.Introspect.class,
        MiscCommands.CheckAccess.class,
        MiscCommands.RevokeCreatedBy.class,
        MiscCommands.Keys.class,
        DirectoryCommands.class,
        MiscCommands.AuditCommands.class,
        AutoComplete.GenerateCompletion.class,
    },
    footerHeading = "%nEnvironment:%n",
    footer = {
        "  TA_ADDR        server address (host:port), when --addr is not given",
        "  TA_TOKEN       the credential, when neither --token nor --token-file is given",
        "  TA_TOKEN_FILE  a file holding the credential, when TA_TOKEN is not set either",
        "  TA_TLS_CA, TA_TLS_CERT, TA_TLS_KEY  as --tls-ca, --tls-cert, --tls-key when not given",
        "%nExit codes:",
        "  0  ok",
        "  2  usage error (unknown flag, missing or bad argument)",
        "  3  auth error: no credential, or UNAUTHENTICATED / PERMISSION_DENIED",
        "  4  request refused: NOT_FOUND, ALREADY_EXISTS, ABORTED, INVALID_ARGUMENT",
        "  5  server unreachable, timed out or failed (UNAVAILABLE, DEADLINE_EXCEEDED, ...)",
        "  1  a bug in ta"})
public final class TaCommand implements Runnable {
  static final String DEFAULT_ADDR = "localhost:50051";
  static final Duration DEFAULT_DEADLINE = TokenAuthorityClient.DEFAULT_DEADLINE;

  @Spec CommandSpec spec;

  @Option(names = "--addr", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
      description = "Server address (default: $TA_ADDR, else " + DEFAULT_ADDR + ").")
  String addr;

  @Option(names = "--token", paramLabel = "SECRET", scope = ScopeType.INHERIT,
      description = "The credential. Prefer TA_TOKEN or --token-file: other local users can read flags (ps).")
  String token;

  @Option(names = "--token-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "Read the credential from FILE (e.g. <data-dir>/bootstrap-token).")
  Path tokenFile;

  @Option(names = "--api-key", scope = ScopeType.INHERIT,
      description = "Send the credential as x-api-key (access tokens' callers) instead of Authorization: Bearer.")
  boolean apiKey;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", scope = ScopeType.INHERIT,
      description = "table (default) or json (the API's proto3 JSON).")
  Output.Format output;

  @Option(names = "--tls", scope = ScopeType.INHERIT,
      description = "Use TLS, trusting the JVM's CAs (default: plaintext, unless a --tls-* file is given).")
  boolean tls;

  @Option(names = "--tls-ca", paramLabel = "PEM", scope = ScopeType.INHERIT,
      description = "Use TLS, trusting the CAs in this PEM bundle for the server's certificate (default: $TA_TLS_CA).")
  Path tlsCa;

  @Option(names = "--tls-cert", paramLabel = "PEM", scope = ScopeType.INHERIT,
      description = "Use mutual TLS with this PEM client certificate; needs --tls-key (default: $TA_TLS_CERT).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", scope = ScopeType.INHERIT,
      description = "The client certificate's unencrypted PKCS#8 PEM key (default: $TA_TLS_KEY).")
  Path tlsKey;

  @Option(names = "--deadline", paramLabel = "DURATION", scope = ScopeType.INHERIT, converter = DurationConverter.class,
      description = "Deadline of each call: 500ms, 10s, 2m (default 10s).")
  Duration deadline;

  private final Map<String, String> env;
  final PrintWriter out;
  final PrintWriter err;
  final boolean terminal;
  private ManagedChannel channel;

  TaCommand(Map<String, String> env, PrintWriter out, PrintWriter err, boolean terminal) {
    this.env = env;
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  /** Runs {@code ta args}: returns the exit code, having printed results to {@code out} and diagnostics to {@code err}. */
  public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err, boolean terminal) {
    TaCommand root = new TaCommand(env, out, err, terminal);
    CommandLine cl = commandLine(root);
    List<String> secrets = secretsIn(args, env);
    cl.setParameterExceptionHandler((ex, arguments) -> {
      PrintWriter e = ex.getCommandLine().getErr();
      e.println("ta: " + redact(ex.getMessage(), secrets));
      CommandLine.UnmatchedArgumentException.printSuggestions(ex, e);
      e.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
      e.flush();
      return ExitCodes.USAGE;
    });
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      PrintWriter e = commandLine.getErr();
      int code = report(ex, e, secrets);
      if (ex instanceof TokenAuthorityException failure && failure.code() == io.grpc.Status.Code.UNAVAILABLE) {
        e.println("ta: is the server at " + root.address() + " up? (--addr or TA_ADDR; --tls if it expects TLS)");
      }
      e.flush();
      return code;
    });
    try {
      return cl.execute(args);
    } finally {
      root.close();
    }
  }

  /** The command tree wired to {@code root}'s streams. */
  static CommandLine commandLine(TaCommand root) {
    CommandLine cl = new CommandLine(root);
    cl.setOut(root.out);
    cl.setErr(root.err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  /** Prints a failure (never a secret) and answers its exit code. */
  static int report(Exception ex, PrintWriter e, List<String> secrets) {
    if (ex instanceof TokenAuthorityException failure) {
      StringBuilder line = new StringBuilder("ta: ").append(failure.code());
      if (!failure.reason().isEmpty()) {
        line.append(" (").append(failure.reason()).append(')');
      }
      if (!failure.description().isEmpty()) {
        line.append(": ").append(failure.description());
      }
      e.println(redact(line.toString(), secrets));
      failure.fieldViolations().forEach(v -> e.println(redact("  " + v.field() + ": " + v.description(), secrets)));
      return ExitCodes.of(failure);
    }
    if (ex instanceof MissingCredentialException) {
      e.println("ta: " + ex.getMessage());
      return ExitCodes.AUTH;
    }
    if (ex instanceof ParameterException || ex instanceof IllegalArgumentException) {
      e.println("ta: " + redact(String.valueOf(ex.getMessage()), secrets));
      return ExitCodes.USAGE;
    }
    e.println("ta: unexpected " + ex.getClass().getSimpleName() + ": " + redact(String.valueOf(ex.getMessage()), secrets));
    return ExitCodes.SOFTWARE;
  }

  /** Every credential the command line or environment could carry, for redaction. */
  private static List<String> secretsIn(String[] args, Map<String, String> env) {
    List<String> secrets = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--token") && i + 1 < args.length) {
        secrets.add(args[i + 1]);
      } else if (args[i].startsWith("--token=")) {
        secrets.add(args[i].substring("--token=".length()));
      }
    }
    String fromEnv = env.get("TA_TOKEN");
    if (fromEnv != null) {
      secrets.add(fromEnv.trim());
    }
    secrets.removeIf(s -> s.length() < 4); // too short to be a credential; masking would garble text
    return secrets;
  }

  static String redact(String text, List<String> secrets) {
    String result = text;
    for (String secret : secrets) {
      result = result.replace(secret, "****");
    }
    return result;
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing command");
  }

  Output output() {
    return new Output(out, output == null ? Output.Format.table : output);
  }

  String address() {
    if (addr != null && !addr.isBlank()) {
      return addr;
    }
    String fromEnv = env.get("TA_ADDR");
    return fromEnv == null || fromEnv.isBlank() ? DEFAULT_ADDR : fromEnv.trim();
  }

  /** The credential: --token, else --token-file, else TA_TOKEN, else TA_TOKEN_FILE; null when none. */
  String credential() {
    if (token != null && !token.isBlank()) {
      return token.trim();
    }
    if (tokenFile != null) {
      return readSecret(tokenFile, "--token-file");
    }
    String fromEnv = env.get("TA_TOKEN");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.trim();
    }
    String file = env.get("TA_TOKEN_FILE");
    if (file != null && !file.isBlank()) {
      return readSecret(Path.of(file.trim()), "TA_TOKEN_FILE");
    }
    return null;
  }

  private String readSecret(Path file, String source) {
    try {
      String secret = Files.readString(file, StandardCharsets.US_ASCII).trim();
      if (secret.isEmpty()) {
        throw new ParameterException(spec.commandLine(), source + " " + file + " is empty");
      }
      return secret;
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "cannot read " + source + " " + file + ": "
          + e.getClass().getSimpleName());
    }
  }

  /** A client with the credential; fails with exit code 3 when there is none. */
  TokenAuthorityClient client() {
    String secret = credential();
    if (secret == null) {
      throw new MissingCredentialException();
    }
    return new TokenAuthorityClient(channel(), apiKey ? Credentials.apiKey(secret) : Credentials.bearer(secret),
        deadline == null ? DEFAULT_DEADLINE : deadline);
  }

  /** A client for the public methods (JWKS, share links): the credential is sent if there is one. */
  TokenAuthorityClient publicClient() {
    String secret = credential();
    return new TokenAuthorityClient(channel(),
        secret == null ? null : apiKey ? Credentials.apiKey(secret) : Credentials.bearer(secret),
        deadline == null ? DEFAULT_DEADLINE : deadline);
  }

  private ManagedChannel channel() {
    if (channel == null) {
      Path ca = pathOrEnv(tlsCa, "TA_TLS_CA");
      Path cert = pathOrEnv(tlsCert, "TA_TLS_CERT");
      Path key = pathOrEnv(tlsKey, "TA_TLS_KEY");
      if (ca != null || cert != null || key != null) {
        if ((cert == null) != (key == null)) {
          throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together (or TA_TLS_CERT and TA_TLS_KEY)");
        }
        try {
          channel = TokenAuthorityClient.tlsChannelBuilder(address(), ca, cert, key).build();
        } catch (IOException | IllegalArgumentException e) {
          throw new ParameterException(spec.commandLine(), "TLS: " + e.getMessage());
        }
      } else {
        ManagedChannelBuilder<?> builder = TokenAuthorityClient.channelBuilder(address());
        channel = (tls ? builder.useTransportSecurity() : builder.usePlaintext()).build();
      }
    }
    return channel;
  }

  /** {@code flag} if given, else the path in the environment variable {@code env}, else null. */
  private Path pathOrEnv(Path flag, String env) {
    if (flag != null) {
      return flag;
    }
    String fromEnv = this.env.get(env);
    return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv.trim());
  }

  void close() {
    if (channel != null) {
      channel.shutdownNow();
      try {
        channel.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** No credential anywhere: exit code 3 with a message that says where one can come from. */
  static final class MissingCredentialException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MissingCredentialException() {
      super("no credential: set TA_TOKEN, or pass --token-file FILE (or --token SECRET)");
    }
  }

  /** {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, or an ISO-8601 duration ({@code PT10S}). */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
      return parse(value);
    }

    static Duration parse(String value) {
      Matcher m = SHORT.matcher(value.trim());
      Duration d;
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        d = switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      } else {
        try {
          d = Duration.parse(value.trim());
        } catch (RuntimeException e) {
          throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (500ms, 10s, 2m, 1h, 30d)");
        }
      }
      if (d.isNegative() || d.isZero()) {
        throw new CommandLine.TypeConversionException("'" + value + "' must be positive");
      }
      return d;
    }
  }

  /** The version of the jar (from its manifest when there is one). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = TaCommand.class.getPackage().getImplementationVersion();
      return new String[] {"ta " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
