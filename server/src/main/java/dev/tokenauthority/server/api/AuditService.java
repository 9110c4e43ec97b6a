package dev.tokenauthority.server.api;

import dev.tokenauthority.server.core.Audit;
import dev.tokenauthority.server.store.Rows.AuditRow;
import dev.tokenauthority.v1.AuditEvent;
import dev.tokenauthority.v1.AuditOutcome;
import dev.tokenauthority.v1.AuditServiceGrpc;
import dev.tokenauthority.v1.ListAuditEventsRequest;
import dev.tokenauthority.v1.ListAuditEventsResponse;
import io.grpc.stub.StreamObserver;

/** The audit log over gRPC: {@code GET /v1/audit-events}. */
final class AuditService extends AuditServiceGrpc.AuditServiceImplBase {
  private final Audit audit;

  AuditService(Audit audit) {
    this.audit = audit;
  }

  @Override
  public void listAuditEvents(ListAuditEventsRequest request, StreamObserver<ListAuditEventsResponse> response) {
    Audit.Page page = audit.list(AuthInterceptor.principal(), new Audit.Query(request.getTenantId(),
        request.getAction(),
        request.hasStartTime() ? ProtoTime.toInstant(request.getStartTime()) : null,
        request.hasEndTime() ? ProtoTime.toInstant(request.getEndTime()) : null,
        request.getPageSize(), request.getPageToken()));
    ListAuditEventsResponse.Builder answer = ListAuditEventsResponse.newBuilder()
        .setNextPageToken(page.nextPageToken());
    page.events().forEach(row -> answer.addAuditEvents(toProto(row)));
    response.onNext(answer.build());
    response.onCompleted();
  }

  private static AuditEvent toProto(AuditRow row) {
    return AuditEvent.newBuilder()
        .setId(row.id())
        .setEventTime(ProtoTime.of(row.occurredAt()))
        .setTenantId(orEmpty(row.tenantId()))
        .setActorUserId(orEmpty(row.actorUserId()))
        .setActorTokenId(orEmpty(row.actorTokenId()))
        .setAction(row.action())
        .setTargetType(orEmpty(row.targetType()))
        .setTargetId(orEmpty(row.targetId()))
        .setOutcome(row.outcome().equals("success") ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE)
        .setReason(orEmpty(row.reason()))
        .setClientAddress(orEmpty(row.clientAddress()))
        .setDetails(orEmpty(row.details()))
        .build();
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
