package io.shopflow.marketing.pipelines.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopflow.marketing.udfs.io.ClothingReviewsCsv;
import io.shopflow.marketing.udfs.io.CsvReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Turns the real public data sets into the engine's input topics, in event-time order.
 *
 * <ul>
 *   <li>UCI Online Retail: one {@code purchase} per invoice of a known customer (lines merged per
 *       stock code); a catalogue upsert per item whenever its day's most common unit price differs
 *       from the last one published (title = description, category = the description's last word).
 *       Cancellation invoices ("C...") are sent as purchases with their negative quantities: the
 *       engine has no returns yet, so they land in the DLQ with the reason. Rows without a customer
 *       id cannot be attributed to a user and only feed the catalogue.
 *   <li>OTTO sessions: clicks, carts and orders as {@code view}, {@code cart_add} and {@code
 *       purchase}; its four weeks are shifted onto the last four weeks of the UCI year so that both
 *       run on one clock. Users are disjoint (prefixes {@code uci-} and {@code otto-}).
 *   <li>Women's E-Commerce Clothing Reviews (when its folder is there): the reviews with a title or
 *       text, in file order, are laid onto the UCI purchases in time order, review i on purchase i
 *       (cancellations skipped): its user reviews the purchase's first item three days after the
 *       purchase, with the review's stars, title and text ({@code review_id} {@code wecr-<row>}).
 *       So every review is of a bought item, and the 1- and 2-star ones can yield service-recovery
 *       actions. The clothing texts do not describe the UCI gifts: this exercises the path, it is
 *       no statement about those items.
 * </ul>
 */
public final class ShopDataReplay {
  static final ZoneId UCI_ZONE = ZoneId.of("Europe/London");
  private static final DateTimeFormatter UCI_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd H:mm[:ss]");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** OTTO's first event lands on this instant. */
  static final Instant OTTO_START = Instant.parse("2011-11-11T00:00:00Z");

  private ShopDataReplay() {}

  /**
   * Both data sets merged in event-time order (stable: catalogue before the purchase it prices).
   */
  public static List<ReplayRecord> load(Path dataDir) throws IOException {
    List<ReplayRecord> all = new ArrayList<>();
    all.addAll(uciOnlineRetail(dataDir.resolve("uci-online-retail/online_retail.csv.gz")));
    all.addAll(ottoSessions(dataDir.resolve("otto-recsys-sample/otto_train_20_sessions.jsonl")));
    all.sort(Comparator.comparingLong(ReplayRecord::eventTime));
    Path reviews = dataDir.resolve("womens-ecommerce-clothing-reviews/" + REVIEWS_FILE);
    if (Files.exists(reviews)) {
      all.addAll(clothingReviews(reviews, all));
      all.sort(Comparator.comparingLong(ReplayRecord::eventTime));
    }
    return all;
  }

  static final String REVIEWS_FILE = ClothingReviewsCsv.FILE;

  /** A review lands this long after the purchase it is laid onto. */
  static final long REVIEW_AFTER_MS = 3L * 24 * 3600 * 1000;

  /** Reviews laid onto the UCI purchases of {@code sorted} (records in event-time order). */
  static List<ReplayRecord> clothingReviews(Path file, List<ReplayRecord> sorted)
      throws IOException {
    List<ReplayRecord> purchases = new ArrayList<>();
    for (ReplayRecord r : sorted) {
      if (r.kind() == ReplayRecord.Kind.EVENT
          && r.key().startsWith("uci-")
          && r.json().contains("\"event_type\":\"purchase\"")
          && !r.json().contains("\"event_id\":\"uci-C")) {
        purchases.add(r);
      }
    }
    List<ReplayRecord> out = new ArrayList<>();
    try (ClothingReviewsCsv rows =
        new ClothingReviewsCsv(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
      int next = 0;
      ClothingReviewsCsv.Row row;
      while (next < purchases.size() && (row = rows.next()) != null) {
        String title = row.title();
        String text = row.text();
        if (title.isEmpty() && text.isEmpty()) {
          continue;
        }
        ReplayRecord purchase = purchases.get(next++);
        JsonNode p = JSON.readTree(purchase.json());
        long t = purchase.eventTime() + REVIEW_AFTER_MS;
        ObjectNode n = JSON.createObjectNode();
        n.put("review_id", "wecr-" + row.id());
        n.put("user_id", purchase.key());
        n.put("item_id", p.path("items").get(0).path("item_id").asText());
        n.put("event_time", t);
        n.put("rating", row.rating());
        if (!title.isEmpty()) {
          n.put("title", title);
        }
        n.put("text", text);
        out.add(new ReplayRecord(ReplayRecord.Kind.REVIEW, purchase.key(), n.toString(), t));
      }
    }
    return out;
  }

  private static final class UciLine {
    String invoice;
    String stockCode;
    String description;
    int quantity;
    long time;
    double price;
    String customer;
  }

  static List<ReplayRecord> uciOnlineRetail(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(
          file + " (see README: the demo reads ../shared/data by default)");
    }
    List<UciLine> lines = new ArrayList<>();
    try (CsvReader r =
        new CsvReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
      List<String> header = r.next();
      if (!io.shopflow.marketing.udfs.recs.Purchases.isHeader(header)) {
        throw new IOException(file + " does not look like UCI Online Retail: " + header);
      }
      List<String> f;
      while ((f = r.next()) != null) {
        if (f.size() < 8) {
          continue;
        }
        UciLine l = new UciLine();
        l.invoice = f.get(0);
        l.stockCode = f.get(1);
        l.description = f.get(2).strip();
        l.quantity = Integer.parseInt(f.get(3));
        l.time =
            LocalDateTime.parse(f.get(4), UCI_TIME).atZone(UCI_ZONE).toInstant().toEpochMilli();
        l.price = Double.parseDouble(f.get(5));
        l.customer = f.get(6).isEmpty() ? null : f.get(6).replace(".0", "");
        lines.add(l);
      }
    }
    List<ReplayRecord> out = new ArrayList<>();
    out.addAll(uciCatalogue(lines));
    out.addAll(uciPurchases(lines));
    return out;
  }

  /** A catalogue upsert per item and day whose most common unit price differs from the last. */
  private static List<ReplayRecord> uciCatalogue(List<UciLine> lines) {
    Map<String, Map<LocalDate, Map<Double, Integer>>> priceCounts = new HashMap<>();
    Map<String, Map<LocalDate, Long>> firstSale = new HashMap<>();
    Map<String, String> title = new HashMap<>();
    for (UciLine l : lines) {
      if (l.invoice.startsWith("C") || l.quantity <= 0 || l.price <= 0) {
        continue;
      }
      LocalDate day = Instant.ofEpochMilli(l.time).atZone(UCI_ZONE).toLocalDate();
      priceCounts
          .computeIfAbsent(l.stockCode, k -> new HashMap<>())
          .computeIfAbsent(day, k -> new HashMap<>())
          .merge(l.price, 1, Integer::sum);
      firstSale.computeIfAbsent(l.stockCode, k -> new HashMap<>()).putIfAbsent(day, l.time);
      if (!l.description.isEmpty()) {
        title.putIfAbsent(l.stockCode, l.description);
      }
    }
    List<ReplayRecord> out = new ArrayList<>();
    for (Map.Entry<String, Map<LocalDate, Map<Double, Integer>>> item : priceCounts.entrySet()) {
      String sku = item.getKey();
      Double last = null;
      for (LocalDate day : item.getValue().keySet().stream().sorted().toList()) {
        double modal =
            item.getValue().get(day).entrySet().stream()
                .max(
                    Map.Entry.<Double, Integer>comparingByValue()
                        .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
                .orElseThrow()
                .getKey();
        if (last != null && last == modal) {
          continue;
        }
        last = modal;
        long t = firstSale.get(sku).get(day) - 1; // just before the first sale of that day
        ObjectNode n = JSON.createObjectNode();
        n.put("event_id", "uci-cat-" + sku + "-" + day);
        n.put("item_id", sku);
        String name = title.getOrDefault(sku, sku);
        n.put("title", name);
        ArrayNode path = n.putArray("category_path");
        path.add("Gifts & Home");
        path.add(category(name));
        n.put("price", modal);
        n.put("currency", "GBP");
        n.put("event_time", Instant.ofEpochMilli(t).toString());
        out.add(new ReplayRecord(ReplayRecord.Kind.CATALOG, sku, n.toString(), t));
      }
    }
    return out;
  }

  /** The last word of a description ("WHITE METAL LANTERN" -> "lantern"). */
  static String category(String description) {
    return io.shopflow.marketing.udfs.recs.Purchases.category(description);
  }

  private static List<ReplayRecord> uciPurchases(List<UciLine> lines) {
    Map<String, List<UciLine>> byInvoice = new LinkedHashMap<>();
    for (UciLine l : lines) {
      if (l.customer != null) {
        byInvoice.computeIfAbsent(l.invoice, k -> new ArrayList<>()).add(l);
      }
    }
    List<ReplayRecord> out = new ArrayList<>();
    for (Map.Entry<String, List<UciLine>> inv : byInvoice.entrySet()) {
      List<UciLine> ls = inv.getValue();
      UciLine first = ls.get(0);
      Map<String, UciLine> merged = new LinkedHashMap<>();
      for (UciLine l : ls) {
        if (!inv.getKey().startsWith("C") && (l.quantity <= 0 || l.price <= 0)) {
          continue; // adjustments and free samples are not sales
        }
        UciLine m = merged.get(l.stockCode);
        if (m == null) {
          merged.put(l.stockCode, l);
        } else {
          UciLine sum = new UciLine();
          sum.stockCode = m.stockCode;
          sum.quantity = m.quantity + l.quantity;
          sum.price = m.price;
          merged.put(l.stockCode, sum);
        }
      }
      if (merged.isEmpty()) {
        continue;
      }
      String user = "uci-" + first.customer;
      ObjectNode n = JSON.createObjectNode();
      n.put("event_id", "uci-" + inv.getKey());
      n.put("event_type", "purchase");
      n.put("user_id", user);
      n.put("event_time", first.time);
      ArrayNode items = n.putArray("items");
      for (UciLine l : merged.values()) {
        ObjectNode it = items.addObject();
        it.put("item_id", l.stockCode);
        it.put("quantity", l.quantity);
        it.put("price", l.price);
      }
      n.put("currency", "GBP");
      n.put("order_id", inv.getKey());
      out.add(new ReplayRecord(ReplayRecord.Kind.EVENT, user, n.toString(), first.time));
    }
    return out;
  }

  static List<ReplayRecord> ottoSessions(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(
          file + " (see README: the demo reads ../shared/data by default)");
    }
    List<JsonNode> sessions = new ArrayList<>();
    long firstTs = Long.MAX_VALUE;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode s = JSON.readTree(line);
      sessions.add(s);
      for (JsonNode e : s.path("events")) {
        firstTs = Math.min(firstTs, e.path("ts").asLong());
      }
    }
    long shift = OTTO_START.toEpochMilli() - firstTs;
    List<ReplayRecord> out = new ArrayList<>();
    for (JsonNode s : sessions) {
      String user = "otto-" + s.path("session").asText();
      int i = 0;
      JsonNode events = s.path("events");
      while (i < events.size()) {
        JsonNode e = events.get(i);
        String type = e.path("type").asText();
        long ts = e.path("ts").asLong();
        ObjectNode n = JSON.createObjectNode();
        n.put("event_id", user + "-" + i);
        n.put(
            "event_type",
            switch (type) {
              case "carts" -> "cart_add";
              case "orders" -> "purchase";
              default -> "view";
            });
        n.put("user_id", user);
        n.put("event_time", ts + shift);
        n.put("session_hint", "otto-session-" + s.path("session").asText());
        ArrayNode items = n.putArray("items");
        // Orders with one timestamp are one basket.
        int j = i;
        do {
          items.addObject().put("item_id", "otto-" + events.get(j).path("aid").asText());
          j++;
        } while ("orders".equals(type)
            && j < events.size()
            && "orders".equals(events.get(j).path("type").asText())
            && events.get(j).path("ts").asLong() == ts);
        if ("orders".equals(type)) {
          n.put("order_id", user + "-" + i);
        }
        out.add(new ReplayRecord(ReplayRecord.Kind.EVENT, user, n.toString(), ts + shift));
        i = j;
      }
    }
    return out;
  }
}
