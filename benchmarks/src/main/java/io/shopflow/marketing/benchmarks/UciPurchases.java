package io.shopflow.marketing.benchmarks;

import io.shopflow.marketing.udfs.recs.Purchases;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The clean UCI purchases, read with the same rules as {@code evaluate-recs} ({@link Purchases}).
 */
final class UciPurchases {
  private UciPurchases() {}

  static Path defaultFile() {
    return Path.of(System.getProperty("shared.data", "../shared/data"))
        .resolve("uci-online-retail")
        .resolve("online_retail.csv.gz");
  }

  static List<Purchases.Purchase> load(Path gzipCsv, long maxRows) throws IOException {
    return Purchases.load(gzipCsv, maxRows).purchases();
  }
}
