package dev.tokenauthority.server.core;

import dev.tokenauthority.server.store.AuditRepository;
import dev.tokenauthority.server.store.Database;
import dev.tokenauthority.server.store.DirectoryRepository;
import dev.tokenauthority.server.store.Inserts;
import dev.tokenauthority.server.store.Rows.AuditRow;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.jdbi.v3.core.Handle;

/**
 * The audit log: who did what to which object of which tenant, when, with what outcome and
 * from which client address. Core code records an event with one call:
 * <pre>{@code
 * audit.record(handle, AuditEvent.by(caller, AuditAction.TOKEN_REVOKE, AuditEvent.TOKEN, tokenId));
 * }</pre>
 *
 * <p><b>Same transaction.</b> A change and its audit row commit together:
 * {@link #record(Handle, AuditEvent)} writes within the caller's transaction, so no change is
 * ever acknowledged (or survives a crash) without its row, and no row describes a change that
 * rolled back. On the mint hot path this costs one more INSERT in a transaction the mint opens
 * anyway: no extra commit, no extra round trip to a second store, nothing queued in memory
 * that a crash could lose. (An asynchronous writer would be cheaper per mint but would lose
 * the rows of acknowledged mints on a crash, which is exactly what an audit log must not do.)
 * {@link #record(AuditEvent)} is for events that change nothing else, such as a failed
 * authentication: it writes the row in its own short transaction.
 *
 * <p><b>Failed authentications</b> are recorded one row each, with the reason and never the
 * credential (at most the ID of the known token an expired or revoked secret belongs to). A
 * flood of garbage credentials would otherwise turn a rejection that costs no database work
 * (malformed secrets are refused before any lookup) into one write per request, and grow the
 * table without bound. So failures that match no known token are recorded at most
 * {@code authFailuresPerSecond} a second; the rest are counted, and the count is written as one
 * {@link AuditAction#AUTH_FAILURES_SUPPRESSED} row ({@code count=N since=T}) with the next
 * failure that is recorded, or at shutdown ({@link #flush}): a flood is always visible in the
 * log, at a bounded cost. Failures of a known token (expired, revoked, deactivated user) are
 * always recorded: they need a real secret, so an attacker cannot mass-produce them.
 * Retention is the operator's: rows are never deleted by the server ({@code occurred_at} is
 * indexed, so pruning old rows by time is cheap).
 */
public final class Audit {
  private static final Logger LOG = LoggerFactory.getLogger(Audit.class);
  private static final Pattern EVENT_ID = Pattern.compile("aud_[a-z0-9]{24}");

  /** A listing request; empty strings and null times mean "no filter". */
  public record Query(String tenantId, String action, Instant startTime, Instant endTime, int pageSize,
      String pageToken) {}

  /** One page of events, newest first, and the token of the next page ("" on the last). */
  public record Page(List<AuditRow> events, String nextPageToken) {}

  private final Database database;
  private final AuditRepository repository;
  private final DirectoryRepository directory;
  private final Secrets secrets;
  private final Clock clock;
  private final FailureBudget failureBudget;

  /** {@code authFailuresPerSecond}: failed authentications of no known token recorded per second, at least 1. */
  public Audit(Database database, Secrets secrets, Clock clock, int authFailuresPerSecond) {
    if (authFailuresPerSecond < 1) {
      throw new IllegalArgumentException("authFailuresPerSecond must be at least 1, not " + authFailuresPerSecond);
    }
    this.database = database;
    this.repository = database.jdbi().onDemand(AuditRepository.class);
    this.directory = database.jdbi().onDemand(DirectoryRepository.class);
    this.secrets = secrets;
    this.clock = clock;
    this.failureBudget = new FailureBudget(authFailuresPerSecond);
  }

  /** Records {@code event} within {@code handle}'s transaction: it commits or rolls back with the change. */
  public void record(Handle handle, AuditEvent event) {
    Inserts.audit(handle, row(event, now()));
  }

  /** Records {@code event} on its own, for events that change nothing else. */
  public void record(AuditEvent event) {
    repository.insert(row(event, now()));
  }

  /** Records a failed authentication, within the budget described in the class comment. */
  void authenticationFailed(Failure failure, String tenantId, String tokenId, String clientAddress,
      ClientCertificate certificate) {
    AuditEvent event = AuditEvent.authenticationFailed(failure, tenantId, tokenId, clientAddress, certificate);
    if (tokenId != null) {
      record(event);
      return;
    }
    Instant now = now();
    FailureBudget.Suppressed suppressed = failureBudget.admit(now);
    if (suppressed == FailureBudget.DENIED) {
      return;
    }
    if (suppressed == null) {
      record(event);
      return;
    }
    try {
      database.jdbi().useTransaction(handle -> {
        AuditRepository rows = handle.attach(AuditRepository.class);
        rows.insert(row(suppressed.event(), now));
        rows.insert(row(event, now));
      });
    } catch (RuntimeException e) {
      failureBudget.restore(suppressed); // not written: keep the count for the next row (or flush)
      throw e;
    }
  }

  /**
   * Writes the count of suppressed failed authentications, if any (on shutdown). No caller
   * waits on it, so a store outage does not throw: the count is logged in one line instead
   * (and kept, should a later flush succeed).
   */
  public void flush() {
    FailureBudget.Suppressed suppressed = failureBudget.drain();
    if (suppressed == null) {
      return;
    }
    try {
      record(suppressed.event());
    } catch (RuntimeException e) {
      failureBudget.restore(suppressed);
      if (!Database.isUnavailable(e)) {
        throw e;
      }
      LOG.warn("Could not write the audit row counting " + suppressed.count()
          + " failed authentications since " + suppressed.since() + " (not recorded one by one): the store is "
          + "unavailable (" + Database.describe(e) + ")");
    }
  }

  /**
   * Lists events newest first. Requires {@code audit:read}. A tenant admin sees its own
   * tenant only (naming another is NOT_FOUND, as for any object of another tenant); the holder
   * of {@code tenants:write} may name any tenant, or none to see every event, failed
   * authentications of no tenant included.
   */
  public Page list(Principal caller, Query query) {
    caller.require(Scopes.AUDIT_READ);
    Violations violations = new Violations();
    int size = Paging.size("page_size", query.pageSize(), violations);
    violations.optionalId("tenant_id", query.tenantId());
    String action = empty(query.action()) ? null : query.action();
    if (action != null && AuditAction.ofCode(action).isEmpty()) {
      violations.add("action", "unknown action '" + action + "'; one of: " + String.join(", ", AuditAction.codes()));
    }
    checkTime("start_time", query.startTime(), violations);
    checkTime("end_time", query.endTime(), violations);
    if (query.startTime() != null && query.endTime() != null && !query.startTime().equals(TokenCore.INVALID_TIME)
        && !query.endTime().equals(TokenCore.INVALID_TIME) && !query.endTime().isAfter(query.startTime())) {
      violations.add("end_time", "must be after start_time");
    }
    Paging.Position cursor = empty(query.pageToken()) ? null : Paging.position(query.pageToken())
        .filter(p -> EVENT_ID.matcher(p.id()).matches()).orElse(null);
    if (!empty(query.pageToken()) && cursor == null) {
      violations.add("page_token", "is not a page token this listing returned; omit it to start from the newest event");
    }
    violations.throwIfAny();

    String tenantId = visibleTenant(caller, query.tenantId());
    String filters = fingerprint(tenantId, action, query.startTime(), query.endTime());
    if (cursor != null && !cursor.filters().equals(filters)) {
      throw Failure.invalid("page_token",
          "belongs to a listing with other filters; keep tenant_id, action, start_time and end_time unchanged "
              + "while paging, or omit page_token to start again");
    }
    List<AuditRow> rows = repository.list(tenantId, action, query.startTime(), query.endTime(),
        cursor == null ? null : cursor.at(), cursor == null ? null : cursor.id(), size + 1);
    if (rows.size() <= size) {
      return new Page(rows, "");
    }
    List<AuditRow> page = rows.subList(0, size);
    AuditRow last = page.get(size - 1);
    return new Page(List.copyOf(page), Paging.token(last.occurredAt(), last.id(), filters));
  }

  /** The tenant whose events {@code caller} lists, or null for every tenant. */
  private String visibleTenant(Principal caller, String requested) {
    if (caller.scopes().contains(Scopes.TENANTS_WRITE)) {
      if (empty(requested)) {
        return null;
      }
      directory.findTenant(requested).orElseThrow(() -> Failure.notFound("tenant", requested));
      return requested;
    }
    if (empty(requested) || requested.equals(caller.tenantId())) {
      return caller.tenantId();
    }
    throw Failure.notFound("tenant", requested);
  }

  private static void checkTime(String field, Instant time, Violations violations) {
    if (time != null && time.equals(TokenCore.INVALID_TIME)) {
      violations.add(field, "must be a valid time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z");
    }
  }

  /** The filters a page token belongs to, so that a token is never used with other filters. */
  private static String fingerprint(String tenantId, String action, Instant start, Instant end) {
    CRC32 crc = new CRC32();
    crc.update((tenantId + "|" + action + "|" + start + "|" + end).getBytes(StandardCharsets.UTF_8));
    return Long.toHexString(crc.getValue());
  }

  private AuditRow row(AuditEvent event, Instant at) {
    return new AuditRow(secrets.newId("aud_", 24), at, event.tenantId(), event.actorUserId(), event.actorTokenId(),
        event.action().code(), event.targetType(), event.targetId(),
        event.failureReason() == null && event.action() != AuditAction.AUTH_FAILURES_SUPPRESSED ? "success" : "failure",
        event.failureReason() == null ? null : event.failureReason().name(), event.clientAddress(), event.storedDetails());
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private static boolean empty(String s) {
    return s == null || s.isEmpty();
  }

  /**
   * How many failed authentications of no known token may be recorded in the current second,
   * and how many were not. Per clock second, so tests move it with the clock.
   */
  private static final class FailureBudget {
    /** A pending count of failures not recorded one by one. */
    record Suppressed(long count, Instant since) {
      AuditEvent event() {
        return AuditEvent.bySystem(null, AuditAction.AUTH_FAILURES_SUPPRESSED, null, null)
            .withDetails("count=" + count + " since=" + since);
      }
    }

    /** Returned by {@link #admit} when the failure must not be recorded. */
    static final Suppressed DENIED = new Suppressed(0, Instant.EPOCH);

    private final int perSecond;
    private long second = Long.MIN_VALUE;
    private int used;
    private long suppressed;
    private Instant suppressedSince;

    FailureBudget(int perSecond) {
      this.perSecond = perSecond;
    }

    /**
     * Whether a failure at {@code now} may be recorded: null if so, {@link #DENIED} if not, or
     * the pending count to record along with it (which this call hands over and resets).
     */
    synchronized Suppressed admit(Instant now) {
      if (now.getEpochSecond() != second) {
        second = now.getEpochSecond();
        used = 0;
      }
      if (used >= perSecond) {
        if (suppressed++ == 0) {
          suppressedSince = now;
        }
        return DENIED;
      }
      used++;
      return drain();
    }

    /** Puts back a count that was handed over but could not be written. */
    synchronized void restore(Suppressed pending) {
      if (suppressed == 0) {
        suppressedSince = pending.since();
      } else if (pending.since().isBefore(suppressedSince)) {
        suppressedSince = pending.since();
      }
      suppressed += pending.count();
    }

    /** The pending count, handed over and reset, or null if there is none. */
    synchronized Suppressed drain() {
      if (suppressed == 0) {
        return null;
      }
      Suppressed pending = new Suppressed(suppressed, suppressedSince);
      suppressed = 0;
      suppressedSince = null;
      return pending;
    }
  }
}
