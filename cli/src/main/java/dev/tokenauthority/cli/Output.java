package dev.tokenauthority.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Prints results: aligned tables with a header row (the default), or protobuf JSON. */
final class Output {
  enum Format { table, json }

  /** A table's columns: a header and how to read the cell from a row. */
  record Column<T>(String header, Function<T, String> cell) {}

  /**
   * proto3 JSON with the API's field names; fields without presence are printed even when
   * zero or empty, so {@code "active": false} and {@code "allowed": false} are there to read.
   */
  static final JsonFormat.Printer JSON = JsonFormat.printer().alwaysPrintFieldsWithNoPresence();

  private final PrintWriter out;
  private final Format format;

  Output(PrintWriter out, Format format) {
    this.out = out;
    this.format = format;
  }

  boolean json() {
    return format == Format.json;
  }

  /**
   * Prints {@code message}: as JSON the whole message (proto3 JSON mapping, the API's field
   * names); as a table one row per item of {@code items}.
   */
  <T> void print(Message message, List<T> items, List<Column<T>> columns) {
    if (json()) {
      printJson(message);
    } else {
      table(items, columns);
    }
  }

  void printJson(Message message) {
    try {
      out.println(JSON.print(message));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getDescriptorForType().getFullName() + " as JSON", e);
    }
    out.flush();
  }

  <T> void table(List<T> items, List<Column<T>> columns) {
    List<String[]> rows = new ArrayList<>();
    String[] header = columns.stream().map(Column::header).toArray(String[]::new);
    rows.add(header);
    for (T item : items) {
      String[] row = new String[columns.size()];
      for (int i = 0; i < row.length; i++) {
        String cell = columns.get(i).cell().apply(item);
        row[i] = cell == null || cell.isEmpty() ? "-" : cell;
      }
      rows.add(row);
    }
    int[] widths = new int[header.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]);
        if (i < row.length - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
    out.flush();
  }

  /** A line of table output (never printed in JSON mode, which must stay parseable). */
  void note(String line) {
    if (!json()) {
      out.println(line);
      out.flush();
    }
  }

  static String time(Timestamp t) {
    if (t == null || (t.getSeconds() == 0 && t.getNanos() == 0)) {
      return "-";
    }
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).toString();
  }

  static String epoch(long seconds) {
    return seconds == 0 ? "-" : Instant.ofEpochSecond(seconds).toString();
  }
}
