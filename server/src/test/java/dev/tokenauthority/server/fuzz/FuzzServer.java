package dev.tokenauthority.server.fuzz;

import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.CreateAccountRequest;
import dev.tokenauthority.v1.CreateModuleRequest;
import dev.tokenauthority.v1.CreateRecordRequest;
import dev.tokenauthority.v1.DirectoryServiceGrpc;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.Record;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real Token Authority for fuzzing (H2 store under target/), with the directory objects the
 * generators' IDs refer to, and a worker thread that bounds every request: one that does not
 * complete within {@link #LIMIT} is a hang, reported as a failure.
 */
public final class FuzzServer implements AutoCloseable {
  public static final Duration LIMIT = Duration.ofSeconds(10);

  private final InProcessAuthority authority;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread thread = new Thread(r, "fuzz-request");
    thread.setDaemon(true);
    return thread;
  });

  private FuzzServer(InProcessAuthority authority) {
    this.authority = authority;
  }

  /**
   * Starts the server with a failed-authentication budget no fuzz run exhausts: inputs with bad
   * credentials must not lock the good ones out of the code under test (the limiter itself is
   * AuthRateLimitTest's).
   */
  public static FuzzServer start(String name) {
    return start(name, false);
  }

  /** Likewise, with the embedded REST gateway on a free port when {@code http}. */
  public static FuzzServer start(String name, boolean http) {
    try {
      Files.createDirectories(Path.of("target"));
      Path dataDir = Files.createTempDirectory(Path.of("target"), "fuzz-" + name + "-");
      InProcessAuthority authority = InProcessAuthority.start(dataDir, c -> c.withAuthFailuresPerMinute(1_000_000)
          .withHttpPort(http ? ServerConfig.ANY_FREE_PORT : 0));
      var directory = DirectoryServiceGrpc.newBlockingStub(authority.channel())
          .withCallCredentials(Credentials.bearer(authority.adminSecret()));
      directory.createRecord(CreateRecordRequest.newBuilder().setRecord(Record.newBuilder().setId("rec-1")).build());
      directory.createAccount(CreateAccountRequest.newBuilder()
          .setAccount(Account.newBuilder().setId("acc-1").setName("Acme")).build());
      for (String id : new String[] {"mod-1", "mod-2"}) {
        directory.createModule(CreateModuleRequest.newBuilder()
            .setModule(Module.newBuilder().setId(id).setName("Module " + id)).build());
      }
      return new FuzzServer(authority);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public InProcessAuthority authority() {
    return authority;
  }

  /** Runs {@code request} on the worker; a request still running after {@link #LIMIT} fails as a hang. */
  public <T> T bounded(Callable<T> request, String description) throws Exception {
    Future<T> future = worker.submit(request);
    try {
      return future.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new AssertionError("hang: no answer within " + LIMIT.toSeconds() + " s to " + description);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
    authority.close();
  }
}
