package io.shopflow.marketing.udfs.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads RFC 4180 CSV records one at a time from a character stream; the one CSV reader of the
 * project (UCI Online Retail, the clothing reviews).
 *
 * <ul>
 *   <li>Outside quotes, CRLF, a lone LF or a lone CR ends a record; CRLF counts as one line break.
 *   <li>Inside a quoted field every character is kept as it is, CR and LF included (a CRLF in a
 *       field stays CRLF); {@code ""} is one quote.
 *   <li>A last record without a final line break counts; a line break at the very end of the input
 *       does not start another record. An empty line inside the input is a record with one empty
 *       field.
 *   <li>Fields are not trimmed; a record has as many fields as it has commas plus one, so records
 *       may differ in length.
 * </ul>
 *
 * <p>Lenient where RFC 4180 forbids: a quote inside an unquoted field opens a quoted section there,
 * characters after a closing quote are kept in the field, and a quote left open runs to the end of
 * the input. Real files are read as they are rather than refused.
 *
 * <p>Buffers its input itself; not thread-safe.
 */
public final class CsvReader implements Closeable {
  private final Reader in;
  private final char[] buf = new char[1 << 16];
  private int pos;
  private int len;
  private final StringBuilder field = new StringBuilder();

  public CsvReader(Reader in) {
    this.in = in;
  }

  /**
   * {@code field} with CRLF and lone CR written as LF: quoted fields keep the file's line breaks,
   * and texts from a Windows-made file should read the same as from any other.
   */
  public static String unixLineBreaks(String field) {
    return field.indexOf('\r') < 0 ? field : field.replace("\r\n", "\n").replace('\r', '\n');
  }

  /** The next record's fields, or null at the end of the input. */
  public List<String> next() throws IOException {
    if (!fill()) {
      return null;
    }
    List<String> record = new ArrayList<>();
    field.setLength(0);
    boolean quoted = false;
    while (fill()) {
      char c = buf[pos++];
      if (quoted) {
        if (c != '"') {
          field.append(c);
        } else if (fill() && buf[pos] == '"') {
          field.append('"');
          pos++;
        } else {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        record.add(field.toString());
        field.setLength(0);
      } else if (c == '\n') {
        break;
      } else if (c == '\r') {
        if (fill() && buf[pos] == '\n') {
          pos++;
        }
        break;
      } else {
        field.append(c);
      }
    }
    record.add(field.toString());
    return record;
  }

  /** True when a character is buffered at {@code pos}, reading more input if needed. */
  private boolean fill() throws IOException {
    while (pos >= len) {
      int n = in.read(buf, 0, buf.length);
      if (n < 0) {
        return false;
      }
      pos = 0;
      len = n;
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
