package io.shopflow.marketing.sidecars.sentiment;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Word 1-2-gram TF-IDF as scikit-learn's {@code TfidfVectorizer(ngram_range=(1, 2), min_df=2)}
 * computes it: lower case, tokens of two or more letters/digits, raw term counts times the smooth
 * idf {@code ln((1 + n) / (1 + df)) + 1}, rows L2-normalised. Vocabulary and idf come from the
 * training texts only.
 */
public final class TfIdf {
  /** A sparse row: column indices (ascending) and values. */
  public record Row(int[] idx, float[] val) {}

  private final Map<String, Integer> vocab;
  private final float[] idf;

  private TfIdf(Map<String, Integer> vocab, float[] idf) {
    this.vocab = vocab;
    this.idf = idf;
  }

  public int size() {
    return idf.length;
  }

  /** Tokens of two or more letters or digits, lower case, in order. */
  static List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    String s = text.toLowerCase(Locale.ROOT);
    int start = -1;
    for (int i = 0; i <= s.length(); i++) {
      boolean word =
          i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_');
      if (word && start < 0) {
        start = i;
      } else if (!word && start >= 0) {
        if (i - start >= 2) {
          out.add(s.substring(start, i));
        }
        start = -1;
      }
    }
    return out;
  }

  static Map<String, Integer> counts(String text) {
    List<String> t = tokens(text);
    Map<String, Integer> c = new HashMap<>();
    for (int i = 0; i < t.size(); i++) {
      c.merge(t.get(i), 1, Integer::sum);
      if (i + 1 < t.size()) {
        c.merge(t.get(i) + ' ' + t.get(i + 1), 1, Integer::sum);
      }
    }
    return c;
  }

  /** Fits vocabulary (n-grams in at least {@code minDf} texts) and idf. */
  public static TfIdf fit(List<String> texts, int minDf) {
    Map<String, Integer> df = new HashMap<>();
    for (String t : texts) {
      for (String g : counts(t).keySet()) {
        df.merge(g, 1, Integer::sum);
      }
    }
    TreeMap<String, Integer> kept = new TreeMap<>();
    df.forEach(
        (g, n) -> {
          if (n >= minDf) {
            kept.put(g, n);
          }
        });
    Map<String, Integer> vocab = new HashMap<>();
    float[] idf = new float[kept.size()];
    int i = 0;
    int n = texts.size();
    for (Map.Entry<String, Integer> e : kept.entrySet()) {
      vocab.put(e.getKey(), i);
      idf[i++] = (float) (Math.log((1.0 + n) / (1.0 + e.getValue())) + 1);
    }
    return new TfIdf(vocab, idf);
  }

  public Row transform(String text) {
    Map<String, Integer> c = counts(text);
    int[] idx = new int[c.size()];
    int n = 0;
    for (String g : c.keySet()) {
      Integer j = vocab.get(g);
      if (j != null) {
        idx[n++] = j;
      }
    }
    idx = Arrays.copyOf(idx, n);
    Arrays.sort(idx);
    float[] val = new float[n];
    double norm = 0;
    Map<Integer, Integer> byIdx = new HashMap<>();
    for (Map.Entry<String, Integer> e : c.entrySet()) {
      Integer j = vocab.get(e.getKey());
      if (j != null) {
        byIdx.put(j, e.getValue());
      }
    }
    for (int k = 0; k < n; k++) {
      val[k] = byIdx.get(idx[k]) * idf[idx[k]];
      norm += val[k] * val[k];
    }
    float inv = norm == 0 ? 0 : (float) (1 / Math.sqrt(norm));
    for (int k = 0; k < n; k++) {
      val[k] *= inv;
    }
    return new Row(idx, val);
  }

  public Row[] transform(List<String> texts) {
    Row[] out = new Row[texts.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = transform(texts.get(i));
    }
    return out;
  }

  /** One line per term: {@code idf<TAB>term}, in column order. */
  public void save(Path file) throws IOException {
    String[] terms = new String[idf.length];
    vocab.forEach((g, j) -> terms[j] = g);
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int j = 0; j < terms.length; j++) {
        w.write(Float.toString(idf[j]));
        w.write('\t');
        w.write(terms[j]);
        w.write('\n');
      }
    }
  }

  public static TfIdf load(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Map<String, Integer> vocab = new HashMap<>(lines.size() * 2);
    float[] idf = new float[lines.size()];
    for (int j = 0; j < lines.size(); j++) {
      String l = lines.get(j);
      int tab = l.indexOf('\t');
      idf[j] = Float.parseFloat(l.substring(0, tab));
      vocab.put(l.substring(tab + 1), j);
    }
    return new TfIdf(vocab, idf);
  }
}
