package io.shopflow.marketing.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
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
 * The clean purchases of UCI Online Retail, in file (= time) order, read with the same rules as
 * {@code pipelines.eval.Purchases} (kept here so that the benchmark jar does not carry the
 * pipelines module and its Flink/Kafka runtime): CustomerID present, Quantity &gt; 0, UnitPrice
 * &gt; 0, InvoiceNo not starting with {@code C}, (InvoiceNo, StockCode) lines deduplicated; user =
 * {@code "uci-"} + customer id, item = StockCode, basket = InvoiceNo, time = InvoiceDate in
 * Europe/London.
 */
final class UciPurchases {
  /** One clean purchase line. */
  record Purchase(String user, String item, String basket, long time) {}

  private static final ZoneId ZONE = ZoneId.of("Europe/London");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd H:mm[:ss]");

  private UciPurchases() {}

  /** {@code -Dshared.data=DIR} (default {@code ../shared/data}) + the UCI file. */
  static Path defaultFile() {
    return Path.of(System.getProperty("shared.data", "../shared/data"))
        .resolve("uci-online-retail")
        .resolve("online_retail.csv.gz");
  }

  /** Reads the gzip CSV; {@code maxRows} &gt; 0 stops after that many raw data rows. */
  static List<Purchase> load(Path gzipCsv, long maxRows) throws IOException {
    if (!Files.exists(gzipCsv)) {
      throw new NoSuchFileException(
          gzipCsv.toAbsolutePath() + " (UCI Online Retail; set -Dshared.data=DIR)");
    }
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(gzipCsv), 1 << 16),
                StandardCharsets.UTF_8),
            1 << 16)) {
      String header = r.readLine();
      if (header == null || !header.startsWith("InvoiceNo,StockCode")) {
        throw new IOException("not UCI Online Retail (header: " + header + ")");
      }
      List<Purchase> out = new ArrayList<>();
      Set<String> lines = new HashSet<>();
      List<String> f = new ArrayList<>(8);
      long rows = 0;
      String row;
      while ((maxRows <= 0 || rows < maxRows) && (row = r.readLine()) != null) {
        if (row.isEmpty()) {
          continue;
        }
        rows++;
        split(row, f);
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
          continue;
        }
        long time =
            LocalDateTime.parse(f.get(4).strip(), TIME).atZone(ZONE).toInstant().toEpochMilli();
        out.add(new Purchase("uci-" + customerId(customer), item, invoice, time));
      }
      return out;
    }
  }

  private static String customerId(String raw) {
    try {
      return Long.toString(new BigDecimal(raw).longValueExact());
    } catch (ArithmeticException | NumberFormatException e) {
      return raw;
    }
  }

  /** RFC-4180 split of one line into {@code out} (cleared first). */
  private static void split(String line, List<String> out) {
    out.clear();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
  }
}
