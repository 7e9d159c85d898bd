package io.shopflow.marketing.sidecars.ranker;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopflow.marketing.sidecars.Djl;
import io.shopflow.marketing.udfs.inference.RankerFeatures;
import io.shopflow.marketing.udfs.recs.Purchases.Purchase;
import io.shopflow.marketing.udfs.recs.UserRecs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Trains the ranker on UCI Online Retail and evaluates it on the temporal split of {@code
 * evaluate-recs}.
 *
 * <p>Training rows: at each training cut-off, the state then (purchases before it); for every user
 * who buys between it and the next cut-off ({@code labelEnd} after the last), the union of the
 * hybrid's top {@code candidates} with and without owned items; label 1 when the user bought the
 * item in that period. Nothing at or after {@code labelEnd} (the evaluation split) is read.
 *
 * <p>Evaluation: the state at the split; for every user who buys at or after it, the hybrid's top
 * {@code candidates} are re-ranked by the model's score and the first 20 compared with the hybrid's
 * own first 20: Recall@20 and NDCG@20 against all items bought after the split ({@code
 * excludeOwned=false}) and against the novel ones ({@code excludeOwned=true}), as {@code
 * evaluate-recs} defines them.
 */
public final class RankerTrainer {
  public static final String NAME = "ranker";
  public static final int K = 20;

  /** Settings. */
  public record Settings(int candidates, int hidden1, int hidden2, RankerNet.Options fit) {
    public static Settings defaults() {
      return new Settings(100, 64, 32, new RankerNet.Options(6, 256, 1e-3f, 1e-5f, 42L));
    }
  }

  private final Settings s;
  private final PrintStream log;

  public RankerTrainer(Settings s, PrintStream log) {
    this.s = s;
    this.log = log;
  }

  public static Path dir(Path models) {
    return models.resolve(NAME);
  }

  public static Path file(Path models) {
    return dir(models).resolve("ranker.params");
  }

  /** Training rows: features [n * F] and labels [n]. */
  public record Rows(float[] x, float[] y, int n, long users, long positives) {}

  public Rows rows(List<Purchase> events, long trainCutoff, long labelEnd) {
    return rows(events, List.of(trainCutoff), labelEnd);
  }

  /**
   * Rows from several cut-offs (ascending): at each, labels are the purchases until the next
   * cut-off ({@code labelEnd} for the last).
   */
  public Rows rows(List<Purchase> events, List<Long> cutoffs, long labelEnd) {
    RankerData data = new RankerData(events, cutoffs.get(0));
    List<float[]> feats = new ArrayList<>();
    List<Float> labels = new ArrayList<>();
    long positives = 0;
    long users = 0;
    for (int c = 0; c < cutoffs.size(); c++) {
      if (c > 0) {
        data.advance(events, cutoffs.get(c));
      }
      long end = c + 1 < cutoffs.size() ? cutoffs.get(c + 1) : labelEnd;
      Map<String, Set<String>> bought = RankerData.boughtBetween(events, cutoffs.get(c), end);
      users += bought.size();
      for (Map.Entry<String, Set<String>> e : bought.entrySet()) {
        for (UserRecs.Scored cand : data.trainingCandidates(e.getKey(), s.candidates())) {
          feats.add(data.features(e.getKey(), cand));
          boolean pos = e.getValue().contains(cand.item());
          labels.add(pos ? 1f : 0f);
          positives += pos ? 1 : 0;
        }
      }
    }
    int n = feats.size();
    float[] x = new float[n * RankerFeatures.SIZE];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(feats.get(i), 0, x, i * RankerFeatures.SIZE, RankerFeatures.SIZE);
      y[i] = labels.get(i);
    }
    return new Rows(x, y, n, users, positives);
  }

  /** Builds the rows, trains and writes {@code <models>/ranker/ranker.params}. */
  public void train(List<Purchase> events, long trainCutoff, long labelEnd, Path models)
      throws IOException {
    train(events, List.of(trainCutoff), labelEnd, models);
  }

  /** As above, with rows from several cut-offs (see {@link #rows(List, List, long)}). */
  public void train(List<Purchase> events, List<Long> cutoffs, long labelEnd, Path models)
      throws IOException {
    long t0 = System.nanoTime();
    Rows r = rows(events, cutoffs, labelEnd);
    log.printf(
        Locale.ROOT,
        "ranker: %,d training rows from %,d user-periods (%,d positives, %.1f%%) in %.1f s%n",
        r.n(),
        r.users(),
        r.positives(),
        100.0 * r.positives() / Math.max(1, r.n()),
        (System.nanoTime() - t0) / 1e9);
    int f = RankerFeatures.SIZE;
    float[] mean = new float[f];
    float[] std = new float[f];
    for (int i = 0; i < r.n(); i++) {
      for (int k = 0; k < f; k++) {
        mean[k] += r.x()[i * f + k];
      }
    }
    for (int k = 0; k < f; k++) {
      mean[k] /= Math.max(1, r.n());
    }
    for (int i = 0; i < r.n(); i++) {
      for (int k = 0; k < f; k++) {
        float d = r.x()[i * f + k] - mean[k];
        std[k] += d * d;
      }
    }
    for (int k = 0; k < f; k++) {
      std[k] = (float) Math.max(1e-6, Math.sqrt(std[k] / Math.max(1, r.n())));
    }
    long t1 = System.nanoTime();
    Files.createDirectories(dir(models));
    try (RankerNet net = RankerNet.create(mean, std, s.hidden1(), s.hidden2(), s.fit().seed())) {
      net.fit(r.x(), r.y(), s.fit());
      net.save(file(models));
    }
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode meta = json.createObjectNode();
    meta.put("name", NAME);
    meta.putPOJO("features", RankerFeatures.NAMES);
    meta.put("layers", f + "-" + s.hidden1() + "-" + s.hidden2() + "-1");
    meta.putPOJO("train_cutoffs_millis", cutoffs);
    meta.put("label_end_millis", labelEnd);
    meta.put("candidates", s.candidates());
    meta.put("rows", r.n());
    meta.put("positives", r.positives());
    meta.put("epochs", s.fit().epochs());
    meta.put("seed", s.fit().seed());
    json.writeValue(dir(models).resolve("model.json").toFile(), meta);
    log.printf(
        Locale.ROOT,
        "ranker: trained in %.1f s; wrote %s%n",
        (System.nanoTime() - t1) / 1e9,
        dir(models));
  }

  public static RankerNet load(Path models) throws IOException {
    return load(models, Djl.device());
  }

  /** The trained ranker under {@code models}, on {@code device}. */
  public static RankerNet load(Path models, Device device) throws IOException {
    Path f = file(models);
    if (!Files.isRegularFile(f)) {
      throw new NoSuchFileException(f + " (no ranker: run `train-ranker --models " + models + "`)");
    }
    return RankerNet.load(f, device);
  }

  /**
   * Re-ranks the hybrid's candidates with {@code scorer} (rows [n * F] to n scores) at the split.
   * Returns metric -> {"hybrid": v, "reranked": v} and the counts.
   */
  public record Evaluation(Map<String, Map<String, Double>> metrics, Map<String, Long> counts) {}

  public Evaluation evaluate(List<Purchase> events, long split, Function<float[], float[]> scorer) {
    RankerData data = new RankerData(events, split);
    Map<String, Set<String>> after = RankerData.boughtBetween(events, split, Long.MAX_VALUE);
    double[] sums = new double[8];
    long users = after.size();
    long novelUsers = 0;
    for (Map.Entry<String, Set<String>> e : after.entrySet()) {
      String user = e.getKey();
      List<String>[] all = rankBoth(data, user, false, scorer);
      sums[0] += recall(all[0], e.getValue());
      sums[1] += ndcg(all[0], e.getValue());
      sums[2] += recall(all[1], e.getValue());
      sums[3] += ndcg(all[1], e.getValue());
      Set<String> novel = new HashSet<>(e.getValue());
      novel.removeAll(data.owned(user));
      if (!novel.isEmpty()) {
        novelUsers++;
        List<String>[] nov = rankBoth(data, user, true, scorer);
        sums[4] += recall(nov[0], novel);
        sums[5] += ndcg(nov[0], novel);
        sums[6] += recall(nov[1], novel);
        sums[7] += ndcg(nov[1], novel);
      }
    }
    Map<String, Map<String, Double>> m = new LinkedHashMap<>();
    String[] names = {"recall20_all", "ndcg20_all", "recall20_novel", "ndcg20_novel"};
    for (int k = 0; k < 4; k++) {
      long denom = k < 2 ? users : novelUsers;
      int base = k < 2 ? 0 : 4;
      int off = k % 2;
      Map<String, Double> v = new LinkedHashMap<>();
      v.put("hybrid", denom == 0 ? 0 : sums[base + off] / denom);
      v.put("reranked", denom == 0 ? 0 : sums[base + 2 + off] / denom);
      m.put(names[k], v);
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("test_users", users);
    counts.put("test_users_with_novel", novelUsers);
    counts.put("candidates", (long) s.candidates());
    return new Evaluation(m, counts);
  }

  /** [hybrid order, re-ranked order] of the user's top candidates. */
  @SuppressWarnings("unchecked")
  private List<String>[] rankBoth(
      RankerData data, String user, boolean excludeOwned, Function<float[], float[]> scorer) {
    List<UserRecs.Scored> cands = data.candidates(user, s.candidates(), excludeOwned);
    List<String> hybrid = new ArrayList<>(cands.size());
    float[] x = new float[cands.size() * RankerFeatures.SIZE];
    for (int i = 0; i < cands.size(); i++) {
      hybrid.add(cands.get(i).item());
      System.arraycopy(
          data.features(user, cands.get(i)), 0, x, i * RankerFeatures.SIZE, RankerFeatures.SIZE);
    }
    float[] score = cands.isEmpty() ? new float[0] : scorer.apply(x);
    Integer[] order = new Integer[cands.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    // Stable: equal scores keep the hybrid's order.
    java.util.Arrays.sort(order, (a, b) -> Float.compare(score[b], score[a]));
    List<String> reranked = new ArrayList<>(order.length);
    for (int i : order) {
      reranked.add(hybrid.get(i));
    }
    return new List[] {hybrid, reranked};
  }

  static double recall(List<String> ranked, Set<String> relevant) {
    if (relevant.isEmpty()) {
      return 0;
    }
    int hits = 0;
    for (int r = 0; r < Math.min(K, ranked.size()); r++) {
      hits += relevant.contains(ranked.get(r)) ? 1 : 0;
    }
    return hits / (double) relevant.size();
  }

  static double ndcg(List<String> ranked, Set<String> relevant) {
    if (relevant.isEmpty()) {
      return 0;
    }
    double dcg = 0;
    for (int r = 0; r < Math.min(K, ranked.size()); r++) {
      if (relevant.contains(ranked.get(r))) {
        dcg += 1 / (Math.log(r + 2) / Math.log(2));
      }
    }
    double ideal = 0;
    for (int r = 0; r < Math.min(relevant.size(), K); r++) {
      ideal += 1 / (Math.log(r + 2) / Math.log(2));
    }
    return dcg / ideal;
  }
}
