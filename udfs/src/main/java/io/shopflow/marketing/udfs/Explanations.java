package io.shopflow.marketing.udfs;

import io.shopflow.marketing.schema.state.CartLine;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Human-readable reasons for actions: which signals fired the trigger, with the numbers. */
public final class Explanations {
  private Explanations() {}

  public static String cartAbandonment(Map<String, CartLine> lines, long armedAt, long afterMs) {
    double total = 0;
    boolean priced = true;
    for (CartLine l : lines.values()) {
      if (l.price == null) {
        priced = false;
      } else {
        total += l.price * l.quantity;
      }
    }
    String names =
        lines.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(e -> name(e.getValue().title, e.getKey()) + " x" + e.getValue().quantity)
            .collect(Collectors.joining(", "));
    return lines.size()
        + " item(s) left in the cart ("
        + names
        + (priced ? "; total " + twoDecimals(total) : "")
        + ") with no purchase within "
        + duration(afterMs)
        + " of the last cart add at "
        + OutputJson.iso(armedAt);
  }

  public static String browseAbandonment(List<Map.Entry<String, Integer>> viewed, int threshold) {
    String items =
        viewed.stream()
            .map(e -> e.getKey() + " viewed " + e.getValue() + " times")
            .collect(Collectors.joining(", "));
    return "in a session that has ended, "
        + items
        + " (threshold "
        + threshold
        + ") without being added to the cart";
  }

  public static String crossSell(
      List<String> bought, List<Map.Entry<String, Integer>> partners, long delayMs) {
    String p =
        partners.stream()
            .map(e -> e.getKey() + " (bought together " + e.getValue() + " times)")
            .collect(Collectors.joining(", "));
    String what =
        bought.size() <= 3
            ? String.join(", ", bought)
            : String.join(", ", bought.subList(0, 3)) + " and " + (bought.size() - 3) + " more";
    return "bought "
        + what
        + " "
        + duration(delayMs)
        + " ago; shoppers who bought it also bought "
        + p;
  }

  public static String winBack(
      int orders,
      double monetary,
      long lastPurchase,
      long afterMs,
      String stage,
      String priceBand,
      String topCategory) {
    return "active buyer ("
        + orders
        + " orders, "
        + twoDecimals(monetary)
        + " spent, "
        + priceBand
        + " price band"
        + (topCategory == null ? "" : ", favourite category " + topCategory)
        + ") has not bought for "
        + duration(afterMs)
        + " since "
        + OutputJson.iso(lastPurchase)
        + "; lifecycle now "
        + stage;
  }

  public static String priceDrop(
      String title,
      String itemId,
      double oldPrice,
      double newPrice,
      String currency,
      String where) {
    // without String.format (5 % of a cold price-drop notice's Java time): a price change fans
    // out to every user holding the item
    return "price of "
        + name(title, itemId)
        + " dropped from "
        + twoDecimals(oldPrice)
        + " to "
        + twoDecimals(newPrice)
        + (currency == null ? "" : " " + currency)
        + " (-"
        + decimals(100 * (oldPrice - newPrice) / oldPrice, 0)
        + "%) while it is in the "
        + where;
  }

  /** Why each recommended item: co-purchase, repeat or popularity, whichever weighs most. */
  public static String recommendation(
      List<io.shopflow.marketing.udfs.recs.UserRecs.Scored> top, String[] owned) {
    return recommendation(
        recommendationBasis(owned), top.stream().map(Explanations::recommendationNote).toList());
  }

  /** The opening of a recommendation's explanation: what it is based on. */
  public static String recommendationBasis(String[] owned) {
    String basis =
        owned.length == 0
            ? "your activity"
            : "your purchases of "
                + String.join(", ", java.util.Arrays.copyOf(owned, Math.min(3, owned.length)))
                + (owned.length > 3 ? " and " + (owned.length - 3) + " more" : "");
    return "after an engaged session, based on " + basis;
  }

  /** One recommended item in the explanation: the item, its strongest signal, its hybrid score. */
  public static String recommendationNote(io.shopflow.marketing.udfs.recs.UserRecs.Scored s) {
    return s.item() + " (" + s.reason() + ", score " + twoDecimals(s.score()) + ")";
  }

  /** {@code String.format(Locale.ROOT, "%.2f", v)} without the formatter: see {@link #decimals}. */
  static String twoDecimals(double v) {
    return decimals(v, 2);
  }

  /**
   * {@code String.format(Locale.ROOT, "%.<scale>f", v)} without the formatter (it was the dearest
   * step of a recommendation and of a price-drop notice: it looks up the locale's symbols at every
   * call): half-up on the shortest decimal form, a minus sign for small negatives ("-0.00").
   */
  static String decimals(double v, int scale) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return String.format(Locale.ROOT, "%." + scale + "f", v);
    }
    String s =
        java.math.BigDecimal.valueOf(v)
            .setScale(scale, java.math.RoundingMode.HALF_UP)
            .toPlainString();
    return Math.copySign(1.0, v) < 0 && !s.startsWith("-") ? "-" + s : s;
  }

  /**
   * The suffix naming the recommender's picks attached to a cart, cross-sell or win-back action;
   * empty when there are none.
   */
  public static String alsoRecommended(String[] picks) {
    return picks.length == 0 ? "" : ALSO_RECOMMENDED + String.join(", ", picks);
  }

  /** How {@link #alsoRecommended} opens. */
  public static final String ALSO_RECOMMENDED = "; also recommended: ";

  /** The explanation from its opening and the notes of the items, in the order sent. */
  public static String recommendation(String basis, List<String> notes) {
    return basis + ": " + String.join(", ", notes);
  }

  /**
   * An apology for a bought item after a clearly negative review: the item, the stars, a snippet of
   * the text, and which path judged the sentiment ({@code model} = the inference sidecar, {@code
   * fallback} = the lexicon scorer).
   */
  public static String serviceRecovery(
      String itemId,
      int rating,
      String text,
      String label,
      double negativeProbability,
      String source) {
    String snippet = text == null ? "" : text.strip().replaceAll("\\s+", " ");
    if (snippet.length() > 80) {
      snippet = snippet.substring(0, 77) + "...";
    }
    return "we are sorry: your "
        + rating
        + "-star review of "
        + itemId
        + ", which you bought, "
        + (snippet.isEmpty() ? "left no text" : "said \"" + snippet + "\"")
        + "; sentiment "
        + label
        + " (p_negative "
        + twoDecimals(negativeProbability)
        + ", by the "
        + ("model".equals(source) ? "sentiment model" : "lexicon fallback")
        + ")";
  }

  static String name(String title, String itemId) {
    return title == null || title.isBlank() ? itemId : "'" + title.strip() + "' (" + itemId + ")";
  }

  static String duration(long ms) {
    if (ms % 86_400_000L == 0) {
      return ms / 86_400_000L + " days";
    }
    if (ms % 3_600_000L == 0) {
      return ms / 3_600_000L + " h";
    }
    return ms / 60_000L + " min";
  }
}
