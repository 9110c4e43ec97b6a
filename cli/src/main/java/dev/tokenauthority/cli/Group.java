package dev.tokenauthority.cli;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.client.TokenAuthorityException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A command group ({@code ta workspace-token ...}): shared plumbing for its subcommands. */
abstract class Group implements Runnable {
  @Spec CommandSpec spec;

  TaCommand ta() {
    return (TaCommand) spec.root().userObject();
  }

  TokenAuthorityClient client() {
    return ta().client();
  }

  Output output() {
    return ta().output();
  }

  /** A group alone is not a command: say which subcommands there are (exit 2). */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: one of "
        + String.join(", ", spec.subcommands().keySet()));
  }

  /** Paging options shared by the list commands. */
  static final class ListOptions {
    @Option(names = "--page-size", paramLabel = "N", description = "Items per page (server default and maximum apply).")
    int pageSize;

    @Option(names = "--page-token", paramLabel = "TOKEN", description = "Continue from a previous page's next-page token.")
    String pageToken = "";

    @Option(names = "--all", description = "Follow every page (progress on stderr).")
    boolean all;
  }

  /**
   * Lists one page, or with {@code --all} every page merged into one response, and prints it.
   * {@code fetch} takes a page token.
   */
  <R extends Message, T> int list(ListOptions options, Function<String, R> fetch, Function<R, List<T>> items,
      List<Output.Column<T>> columns) {
    R response = fetch.apply(options.pageToken);
    if (options.all) {
      Message.Builder merged = response.toBuilder();
      int pages = 1;
      String next = nextPageToken(response);
      while (!next.isEmpty()) {
        R page = fetch.apply(next);
        merged.mergeFrom(page); // repeated fields concatenate; next_page_token takes the last page's
        pages++;
        if (ta().terminal) {
          ta().err.print("\rfetched " + pages + " pages");
          ta().err.flush();
        }
        next = nextPageToken(page);
      }
      if (ta().terminal) {
        ta().err.print("\r");
      }
      @SuppressWarnings("unchecked")
      R all = (R) merged.build();
      response = all;
      ta().err.println("fetched " + items.apply(response).size() + " in " + pages + " page" + (pages == 1 ? "" : "s"));
      ta().err.flush();
    }
    output().print(response, items.apply(response), columns);
    String next = nextPageToken(response);
    if (!next.isEmpty() && !output().json()) {
      ta().err.println("more: --page-token " + next);
      ta().err.flush();
    }
    return ExitCodes.OK;
  }

  private static String nextPageToken(Message response) {
    FieldDescriptor field = response.getDescriptorForType().findFieldByName("next_page_token");
    return field == null ? "" : (String) response.getField(field);
  }

  /** Prints one resource; with a secret (just minted) the secret follows the table, labelled. */
  <T extends Message> int show(T item, List<Output.Column<T>> columns, String secret) {
    output().print(item, List.of(item), columns);
    if (secret != null && !secret.isEmpty()) {
      output().note("");
      output().note("secret (shown only now; store it): " + secret);
    }
    return ExitCodes.OK;
  }

  /**
   * Revokes each ID in turn (revocation is idempotent), printing what was revoked, errors on
   * stderr, and progress on stderr. The exit code is that of the first failure, if any.
   */
  <T extends Message> int revokeEach(List<String> ids, Function<String, T> revoke, List<Output.Column<T>> columns) {
    Progress progress = new Progress(ta().err, ta().terminal, "revoked", ids.size());
    List<T> revoked = new ArrayList<>();
    int code = ExitCodes.OK;
    for (String id : ids) {
      try {
        revoked.add(revoke.apply(id));
        progress.succeeded();
      } catch (TokenAuthorityException e) {
        progress.failed();
        if (ta().terminal) {
          ta().err.println();
        }
        ta().err.print(id + ": ");
        int failure = TaCommand.report(e, ta().err, List.of());
        code = code == ExitCodes.OK ? failure : code;
      }
    }
    if (ids.size() > 1) {
      progress.finish();
    }
    if (output().json()) {
      if (revoked.size() == 1 && ids.size() == 1) {
        output().printJson(revoked.get(0));
      } else {
        List<String> json = new ArrayList<>();
        for (T t : revoked) {
          try {
            json.add(Output.JSON.print(t));
          } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
          }
        }
        ta().out.println("[" + String.join(",\n", json) + "]");
        ta().out.flush();
      }
    } else if (!revoked.isEmpty()) {
      output().table(revoked, columns);
    }
    return code;
  }

  /** {@code 2027-01-01T00:00:00Z}, or a lifetime from now: {@code 90m}, {@code 12h}, {@code 30d}. */
  static Timestamp expiry(String text) {
    Instant at;
    try {
      at = Instant.parse(text.trim());
    } catch (DateTimeParseException e) {
      Duration lifetime;
      try {
        lifetime = TaCommand.DurationConverter.parse(text);
      } catch (RuntimeException notDuration) {
        throw new IllegalArgumentException("--expires-at '" + text
            + "' is neither an instant (2027-01-01T00:00:00Z) nor a lifetime (90m, 12h, 30d)");
      }
      at = Instant.now().plus(lifetime);
    }
    return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
  }
}
