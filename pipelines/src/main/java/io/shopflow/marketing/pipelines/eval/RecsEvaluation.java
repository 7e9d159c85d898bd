package io.shopflow.marketing.pipelines.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.shopflow.marketing.udfs.recs.Purchases.Purchase;
import io.shopflow.marketing.udfs.recs.Recommender;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The two offline protocols of {@code evaluate-recs}, their metrics and the report.
 *
 * <ul>
 *   <li><b>Prequential</b> (test-then-train, Vinagre et al. 2014): for each purchase in time order,
 *       each recommender is first asked for the user's top {@value #K}, a hit is recorded when the
 *       bought item is in it, then the purchase is observed. {@code hr20_all}: hits / events
 *       ({@code excludeOwned=false}); {@code hr20_last50}: the same over the second half of the
 *       events; {@code hr20_excl_novel}: over novel events only (the user had not bought the item
 *       before), ranking with {@code excludeOwned=true}.
 *   <li><b>Temporal split</b>: observe every purchase before the split instant, then, without any
 *       further update, rank for each user who buys on/after it. {@code recall20_all} / {@code
 *       ndcg20_all} against the distinct items bought after the split ({@code excludeOwned=false});
 *       {@code recall20_novel} / {@code ndcg20_novel} against those not bought before it ({@code
 *       excludeOwned=true}; users without such items are skipped). Recall = |hits| / |relevant|
 *       (not capped at 20); NDCG with binary gains, ideal DCG over min(|relevant|, 20) hits.
 * </ul>
 */
public final class RecsEvaluation {
  /** List length of every metric. */
  public static final int K = 20;

  public static final String PREQUENTIAL = "prequential";
  public static final String TEMPORAL = "temporal";

  /** Time spent inside one recommender during one protocol. */
  public record Timing(long observed, long observeNanos, long recommendCalls, long recommendNanos) {
    public double seconds() {
      return (observeNanos + recommendNanos) / 1e9;
    }

    /** Events observed per second spent in {@code observe}. */
    public double updatesPerSecond() {
      return observeNanos == 0 ? 0 : observed / (observeNanos / 1e9);
    }
  }

  /** One recommender's figures in one protocol. */
  public record ModelResult(String name, Map<String, Double> metrics, Timing timing) {}

  /** One protocol: metric names in report order, the recommenders in column order, counts. */
  public record ProtocolResult(
      String protocol,
      List<String> metricNames,
      List<ModelResult> models,
      Map<String, Long> counts) {}

  private RecsEvaluation() {}

  // ---------------------------------------------------------------------------------- metrics

  /** |relevant items among the first k| / |relevant| (0 when nothing is relevant). */
  public static double recall(List<String> ranked, Set<String> relevant, int k) {
    if (relevant.isEmpty()) {
      return 0;
    }
    return hits(ranked, relevant, k) / (double) relevant.size();
  }

  /** Binary-gain NDCG@k: DCG = sum of 1/log2(rank+1) over hits; ideal over min(|rel|, k). */
  public static double ndcg(List<String> ranked, Set<String> relevant, int k) {
    if (relevant.isEmpty()) {
      return 0;
    }
    double dcg = 0;
    Set<String> seen = new HashSet<>();
    int n = Math.min(k, ranked.size());
    for (int r = 0; r < n; r++) {
      String item = ranked.get(r);
      if (relevant.contains(item) && seen.add(item)) {
        dcg += 1 / log2(r + 2);
      }
    }
    double ideal = 0;
    for (int r = 0; r < Math.min(relevant.size(), k); r++) {
      ideal += 1 / log2(r + 2);
    }
    return dcg / ideal;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  private static int hits(List<String> ranked, Set<String> relevant, int k) {
    Set<String> seen = new HashSet<>();
    int n = Math.min(k, ranked.size());
    for (int r = 0; r < n; r++) {
      if (relevant.contains(ranked.get(r))) {
        seen.add(ranked.get(r));
      }
    }
    return seen.size();
  }

  private static boolean inTopK(List<String> ranked, String item, int k) {
    int n = Math.min(k, ranked.size());
    for (int r = 0; r < n; r++) {
      if (item.equals(ranked.get(r))) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------------------------- protocols

  /** Per event: was it the user's first purchase of that item? */
  static boolean[] novelty(List<Purchase> events) {
    boolean[] novel = new boolean[events.size()];
    Set<String> pairs = new HashSet<>();
    for (int t = 0; t < events.size(); t++) {
      Purchase p = events.get(t);
      novel[t] = pairs.add(p.user() + '\u0000' + p.item());
    }
    return novel;
  }

  /** Test-then-train over {@code events} (in order), a fresh recommender from each supplier. */
  public static ProtocolResult prequential(
      List<Purchase> events, List<Supplier<Recommender>> recommenders) {
    return prequential(events, recommenders, null);
  }

  /** As above; {@code progress} (may be null) gets a line per recommender done. */
  public static ProtocolResult prequential(
      List<Purchase> events, List<Supplier<Recommender>> recommenders, PrintStream progress) {
    boolean[] novel = novelty(events);
    int n = events.size();
    int half = n / 2; // "last 50%": events [n/2, n)
    long novelCount = 0;
    for (boolean b : novel) {
      novelCount += b ? 1 : 0;
    }
    List<ModelResult> out = new ArrayList<>();
    for (Supplier<Recommender> s : recommenders) {
      Recommender r = s.get();
      long hitsAll = 0;
      long hitsLast = 0;
      long hitsNovel = 0;
      long observeNanos = 0;
      long recommendNanos = 0;
      long calls = 0;
      for (int t = 0; t < n; t++) {
        Purchase p = events.get(t);
        long t0 = System.nanoTime();
        boolean hit = inTopK(r.recommend(p.user(), K, false, p.time()), p.item(), K);
        calls++;
        if (novel[t]) {
          if (inTopK(r.recommend(p.user(), K, true, p.time()), p.item(), K)) {
            hitsNovel++;
          }
          calls++;
        }
        long t1 = System.nanoTime();
        r.observe(p.user(), p.item(), p.category(), "purchase", p.basket(), p.time());
        long t2 = System.nanoTime();
        recommendNanos += t1 - t0;
        observeNanos += t2 - t1;
        if (hit) {
          hitsAll++;
          if (t >= half) {
            hitsLast++;
          }
        }
      }
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("hr20_all", ratio(hitsAll, n));
      m.put("hr20_last50", ratio(hitsLast, n - half));
      m.put("hr20_excl_novel", ratio(hitsNovel, novelCount));
      out.add(new ModelResult(r.name(), m, new Timing(n, observeNanos, calls, recommendNanos)));
      report(progress, out.get(out.size() - 1));
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("events", (long) n);
    counts.put("events_last50", (long) (n - half));
    counts.put("novel_events", novelCount);
    return new ProtocolResult(
        PREQUENTIAL, List.of("hr20_all", "hr20_last50", "hr20_excl_novel"), out, counts);
  }

  /**
   * Train on purchases strictly before {@code splitMillis} (in order), then rank once for every
   * user with a purchase at or after it; no updates during the test period.
   */
  public static ProtocolResult temporal(
      List<Purchase> events, long splitMillis, List<Supplier<Recommender>> recommenders) {
    return temporal(events, splitMillis, recommenders, null);
  }

  /** As above; {@code progress} (may be null) gets a line per recommender done. */
  public static ProtocolResult temporal(
      List<Purchase> events,
      long splitMillis,
      List<Supplier<Recommender>> recommenders,
      PrintStream progress) {
    List<Purchase> train = new ArrayList<>();
    Map<String, Set<String>> owned = new HashMap<>();
    Map<String, Set<String>> after = new LinkedHashMap<>();
    long testEvents = 0;
    for (Purchase p : events) {
      if (p.time() < splitMillis) {
        train.add(p);
        owned.computeIfAbsent(p.user(), u -> new HashSet<>()).add(p.item());
      } else {
        after.computeIfAbsent(p.user(), u -> new LinkedHashSet<>()).add(p.item());
        testEvents++;
      }
    }
    Map<String, Set<String>> novelRel = new LinkedHashMap<>();
    long coldUsers = 0;
    for (Map.Entry<String, Set<String>> e : after.entrySet()) {
      Set<String> before = owned.getOrDefault(e.getKey(), Set.of());
      if (before.isEmpty()) {
        coldUsers++;
      }
      Set<String> nov = new LinkedHashSet<>(e.getValue());
      nov.removeAll(before);
      if (!nov.isEmpty()) {
        novelRel.put(e.getKey(), nov);
      }
    }
    List<ModelResult> out = new ArrayList<>();
    for (Supplier<Recommender> s : recommenders) {
      Recommender r = s.get();
      long t0 = System.nanoTime();
      for (Purchase p : train) {
        r.observe(p.user(), p.item(), p.category(), "purchase", p.basket(), p.time());
      }
      long t1 = System.nanoTime();
      double recallAll = 0;
      double ndcgAll = 0;
      double recallNovel = 0;
      double ndcgNovel = 0;
      long calls = 0;
      for (Map.Entry<String, Set<String>> e : after.entrySet()) {
        List<String> ranked = r.recommend(e.getKey(), K, false, splitMillis);
        calls++;
        recallAll += recall(ranked, e.getValue(), K);
        ndcgAll += ndcg(ranked, e.getValue(), K);
        Set<String> nov = novelRel.get(e.getKey());
        if (nov != null) {
          List<String> rankedNew = r.recommend(e.getKey(), K, true, splitMillis);
          calls++;
          recallNovel += recall(rankedNew, nov, K);
          ndcgNovel += ndcg(rankedNew, nov, K);
        }
      }
      long t2 = System.nanoTime();
      Map<String, Double> m = new LinkedHashMap<>();
      int users = after.size();
      int novelUsers = novelRel.size();
      m.put("recall20_all", users == 0 ? 0 : recallAll / users);
      m.put("ndcg20_all", users == 0 ? 0 : ndcgAll / users);
      m.put("recall20_novel", novelUsers == 0 ? 0 : recallNovel / novelUsers);
      m.put("ndcg20_novel", novelUsers == 0 ? 0 : ndcgNovel / novelUsers);
      out.add(new ModelResult(r.name(), m, new Timing(train.size(), t1 - t0, calls, t2 - t1)));
      report(progress, out.get(out.size() - 1));
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("train_events", (long) train.size());
    counts.put("test_events", testEvents);
    counts.put("test_users", (long) after.size());
    counts.put("test_users_cold", coldUsers);
    counts.put("test_users_with_novel", (long) novelRel.size());
    return new ProtocolResult(
        TEMPORAL,
        List.of("recall20_all", "ndcg20_all", "recall20_novel", "ndcg20_novel"),
        out,
        counts);
  }

  private static void report(PrintStream progress, ModelResult r) {
    if (progress != null) {
      progress.printf(Locale.ROOT, "  %-18s %7.1f s%n", r.name(), r.timing().seconds());
      progress.flush();
    }
  }

  private static double ratio(long a, long b) {
    return b == 0 ? 0 : a / (double) b;
  }

  // ---------------------------------------------------------------------------------- report

  /** The recommenders in column order (those of the first protocol). */
  static List<String> columns(List<ProtocolResult> results) {
    List<String> names = new ArrayList<>();
    for (ProtocolResult p : results) {
      for (ModelResult m : p.models()) {
        if (!names.contains(m.name())) {
          names.add(m.name());
        }
      }
    }
    return names;
  }

  /** Markdown table: protocol, metric, one column per recommender; the best of a row in bold. */
  public static String table(List<ProtocolResult> results) {
    List<String> names = columns(results);
    StringBuilder sb = new StringBuilder("| protocol | metric |");
    for (String n : names) {
      sb.append(' ').append(n).append(" |");
    }
    sb.append("\n|---|---|");
    sb.append("---:|".repeat(names.size()));
    sb.append('\n');
    for (ProtocolResult p : results) {
      for (String metric : p.metricNames()) {
        double best = Double.NEGATIVE_INFINITY;
        for (ModelResult m : p.models()) {
          best = Math.max(best, m.metrics().get(metric));
        }
        sb.append("| ").append(p.protocol()).append(" | ").append(metric).append(" |");
        for (String n : names) {
          Double v = value(p, n, metric);
          String cell = v == null ? "–" : fmt(v);
          if (v != null && fmt(v).equals(fmt(best))) {
            cell = "**" + cell + "**";
          }
          sb.append(' ').append(cell).append(" |");
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  /** Markdown table of the time spent per recommender and protocol. */
  public static String timingTable(List<ProtocolResult> results) {
    StringBuilder sb = new StringBuilder("| recommender |");
    for (ProtocolResult p : results) {
      sb.append(' ').append(p.protocol()).append(" s |");
    }
    sb.append(" prequential updates/s |\n|---|");
    sb.append("---:|".repeat(results.size() + 1));
    sb.append('\n');
    for (String n : columns(results)) {
      sb.append("| ").append(n).append(" |");
      Timing preq = null;
      for (ProtocolResult p : results) {
        Timing t = timing(p, n);
        sb.append(' ').append(t == null ? "–" : String.format(Locale.ROOT, "%.1f", t.seconds()));
        sb.append(" |");
        if (p.protocol().equals(PREQUENTIAL)) {
          preq = t;
        }
      }
      sb.append(' ')
          .append(preq == null ? "–" : String.format(Locale.ROOT, "%,.0f", preq.updatesPerSecond()))
          .append(" |\n");
    }
    return sb.toString();
  }

  static Double value(ProtocolResult p, String name, String metric) {
    for (ModelResult m : p.models()) {
      if (m.name().equals(name)) {
        return m.metrics().get(metric);
      }
    }
    return null;
  }

  static Timing timing(ProtocolResult p, String name) {
    for (ModelResult m : p.models()) {
      if (m.name().equals(name)) {
        return m.timing();
      }
    }
    return null;
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  /**
   * One line per metric: where {@code model} stands against each baseline (ties at 4 decimals are
   * called ties).
   */
  public static List<String> reading(List<ProtocolResult> results, String model) {
    List<String> lines = new ArrayList<>();
    for (ProtocolResult p : results) {
      for (String metric : p.metricNames()) {
        Double mine = value(p, model, metric);
        if (mine == null) {
          continue;
        }
        List<String> beats = new ArrayList<>();
        List<String> ties = new ArrayList<>();
        List<String> loses = new ArrayList<>();
        for (ModelResult m : p.models()) {
          if (m.name().equals(model)) {
            continue;
          }
          String entry = m.name() + " " + fmt(m.metrics().get(metric));
          double other = m.metrics().get(metric);
          if (fmt(mine).equals(fmt(other))) {
            ties.add(entry);
          } else if (mine > other) {
            beats.add(entry);
          } else {
            loses.add(entry);
          }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(p.protocol()).append(" `").append(metric).append("`: ").append(model);
        sb.append(' ').append(fmt(mine));
        if (!beats.isEmpty()) {
          sb.append(" — beats ").append(String.join(", ", beats));
        }
        if (!ties.isEmpty()) {
          sb.append(beats.isEmpty() ? " — " : "; ").append("ties ").append(String.join(", ", ties));
        }
        if (!loses.isEmpty()) {
          sb.append(beats.isEmpty() && ties.isEmpty() ? " — " : "; ");
          sb.append("below ").append(String.join(", ", loses));
        }
        sb.append('.');
        lines.add(sb.toString());
      }
    }
    return lines;
  }

  /** {@code {"prequential": {name: {metric: value}}, "temporal": {...}}}. */
  public static void writeJson(List<ProtocolResult> results, Path file) throws IOException {
    Map<String, Map<String, Map<String, Double>>> root = new LinkedHashMap<>();
    for (ProtocolResult p : results) {
      Map<String, Map<String, Double>> byModel = new LinkedHashMap<>();
      for (ModelResult m : p.models()) {
        byModel.put(m.name(), m.metrics());
      }
      root.put(p.protocol(), byModel);
    }
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
  }

  /** The heading of the section that {@link #replaceSection} rewrites. */
  public static final String SECTION = "## Recommendations (UCI Online Retail)";

  /**
   * Writes {@code section} (which starts with {@code heading}) into the markdown file: replaces the
   * existing section with that heading up to the next level-2 heading, or appends it; creates the
   * file with a {@code # Evaluation} title when absent.
   */
  public static void replaceSection(Path doc, String heading, String section) throws IOException {
    io.shopflow.marketing.udfs.MarkdownSections.replace(doc, heading, section, "# Evaluation");
  }
}
