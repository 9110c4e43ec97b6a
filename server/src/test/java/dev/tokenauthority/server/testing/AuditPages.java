package dev.tokenauthority.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.v1.AuditEvent;
import dev.tokenauthority.v1.ListAuditEventsRequest;
import dev.tokenauthority.v1.ListAuditEventsResponse;
import java.util.ArrayList;
import java.util.List;

/** Reads the audit log through the API, every page of it. */
public final class AuditPages {
  private AuditPages() {}

  /** Every event {@code request}'s filters select, newest first, following next_page_token to the end. */
  public static List<AuditEvent> all(TokenAuthorityClient client, ListAuditEventsRequest request) {
    List<AuditEvent> events = new ArrayList<>();
    String token = "";
    do {
      ListAuditEventsResponse page = client.listAuditEvents(request.toBuilder().setPageToken(token).build());
      events.addAll(page.getAuditEventsList());
      token = page.getNextPageToken();
      assertThat(events.size()).as("pages end").isLessThan(100_000);
    } while (!token.isEmpty());
    return events;
  }

  /** Every event of {@code action} {@code client} may see. */
  public static List<AuditEvent> all(TokenAuthorityClient client, String action) {
    return all(client, ListAuditEventsRequest.newBuilder().setAction(action).setPageSize(500).build());
  }
}
