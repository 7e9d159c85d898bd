package io.shopflow.marketing.udfs.recs;

import io.shopflow.marketing.udfs.io.CsvReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Loads the clean purchases of UCI Online Retail, in file (= time) order.
 *
 * <p>Cleaning: CustomerID present, Quantity &gt; 0, UnitPrice &gt; 0, InvoiceNo not starting with
 * {@code C}; lines deduplicated on (InvoiceNo, StockCode), keeping the first. User id = {@code
 * "uci-"} + the integer customer id, item id = StockCode, basket = InvoiceNo, time = InvoiceDate as
 * Europe/London local time.
 */
public final class Purchases {
  /** The shop's clock: InvoiceDate carries no zone. */
  public static final ZoneId ZONE = ZoneId.of("Europe/London");

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd H:mm[:ss]");

  /** One clean purchase line. */
  public record Purchase(String user, String item, String basket, long time, String category) {
    public Purchase(String user, String item, String basket, long time) {
      this(user, item, basket, time, null);
    }
  }

  /** The clean lines plus how many raw data rows were read. */
  public record Loaded(List<Purchase> purchases, long rowsRead) {}

  private Purchases() {}

  /**
   * Reads the gzip CSV; {@code maxRows} &gt; 0 stops after that many data rows (raw, not clean).
   */
  public static Loaded load(Path gzipCsv, long maxRows) throws IOException {
    if (!Files.exists(gzipCsv)) {
      throw new NoSuchFileException(gzipCsv + " (UCI Online Retail, see ../shared/data)");
    }
    try (Reader r =
        new InputStreamReader(
            new GZIPInputStream(Files.newInputStream(gzipCsv), 1 << 16), StandardCharsets.UTF_8)) {
      return parse(r, maxRows);
    }
  }

  /** Parses the CSV (header line first) and applies the cleaning rules. */
  public static Loaded parse(Reader csv, long maxRows) throws IOException {
    CsvReader r = new CsvReader(csv);
    List<String> header = r.next();
    if (!isHeader(header)) {
      throw new IOException("not UCI Online Retail (header: " + header + ")");
    }
    List<Purchase> out = new ArrayList<>();
    Set<String> lines = new HashSet<>();
    long rows = 0;
    List<String> f;
    while ((maxRows <= 0 || rows < maxRows) && (f = r.next()) != null) {
      if (f.size() == 1 && f.get(0).isEmpty()) {
        continue; // an empty line is no data row
      }
      rows++;
      if (f.size() < 8) {
        continue;
      }
      String invoice = f.get(0).strip();
      String customer = f.get(6).strip();
      if (customer.isEmpty() || invoice.isEmpty() || invoice.startsWith("C")) {
        continue;
      }
      double quantity;
      double price;
      try {
        quantity = Double.parseDouble(f.get(3).strip());
        price = Double.parseDouble(f.get(5).strip());
      } catch (NumberFormatException e) {
        continue;
      }
      if (!(quantity > 0) || !(price > 0)) {
        continue;
      }
      String item = f.get(1).strip();
      if (!lines.add(invoice + '\u0000' + item)) {
        continue; // a repeated (invoice, stock code) line: keep the first
      }
      long time =
          LocalDateTime.parse(f.get(4).strip(), TIME).atZone(ZONE).toInstant().toEpochMilli();
      out.add(
          new Purchase(
              "uci-" + customerId(customer), item, invoice, time, category(f.get(2).strip())));
    }
    return new Loaded(out, rows);
  }

  /** Whether a CSV record is the header of UCI Online Retail. */
  public static boolean isHeader(List<String> record) {
    return record != null
        && record.size() >= 2
        && record.get(0).equals("InvoiceNo")
        && record.get(1).equals("StockCode");
  }

  /**
   * The shop's category of an item: the last word of its description ("WHITE METAL LANTERN" ->
   * "lantern").
   */
  public static String category(String description) {
    String[] words = description.toLowerCase(java.util.Locale.ROOT).split("[^a-z]+");
    for (int i = words.length - 1; i >= 0; i--) {
      if (words[i].length() >= 3) {
        return words[i];
      }
    }
    return "misc";
  }

  /** {@code "17850.0"} to {@code "17850"}. */
  static String customerId(String raw) {
    try {
      return Long.toString(new java.math.BigDecimal(raw).longValueExact());
    } catch (ArithmeticException | NumberFormatException e) {
      return raw; // not an integer: keep it verbatim
    }
  }
}
