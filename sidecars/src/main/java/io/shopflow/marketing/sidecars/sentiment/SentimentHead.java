package io.shopflow.marketing.sidecars.sentiment;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The trained part of the sentiment model, run on DJL's PyTorch engine: logits = (sparse TF-IDF
 * row) x W_t + f(MiniLM embedding) + b, where f is linear ({@code hidden = 0}) or a
 * one-hidden-layer ReLU MLP. The TF-IDF product is an embedding-bag (gather of W_t's rows, weighted
 * by the TF-IDF values, summed), so the full vocabulary costs nothing per row. Trained with Adam on
 * softmax cross-entropy; deterministic for a seed. Not thread-safe.
 */
public final class SentimentHead implements AutoCloseable {
  /** Training settings. */
  public record Options(int epochs, int batch, float lr, float weightDecay, long seed) {}

  private final int vocab;
  private final int classes;
  private final int hidden;
  private final NDManager manager;
  private final List<String> names = new ArrayList<>();
  private final List<NDArray> params = new ArrayList<>();

  private SentimentHead(int vocab, int classes, int hidden) {
    this.vocab = vocab;
    this.classes = classes;
    this.hidden = hidden;
    this.manager = Engine.getEngine("PyTorch").newBaseManager();
  }

  public int classes() {
    return classes;
  }

  public int hidden() {
    return hidden;
  }

  /**
   * A fresh head: TF-IDF weights and biases zero, the embedding part Gaussian from {@code seed}.
   */
  public static SentimentHead create(int vocab, int classes, int hidden, long seed) {
    SentimentHead h = new SentimentHead(vocab, classes, hidden);
    Random r = new Random(seed);
    h.add("tfidf.weight", new float[vocab * classes], new Shape(vocab, classes));
    int d = MiniLmEncoder.DIM;
    if (hidden > 0) {
      h.add("emb.w1", gaussian(r, d * hidden, Math.sqrt(2.0 / d)), new Shape(d, hidden));
      h.add("emb.b1", new float[hidden], new Shape(hidden));
      h.add(
          "emb.w2",
          gaussian(r, hidden * classes, Math.sqrt(1.0 / hidden)),
          new Shape(hidden, classes));
    } else {
      h.add("emb.w", gaussian(r, d * classes, 0.01), new Shape(d, classes));
    }
    h.add("bias", new float[classes], new Shape(classes));
    return h;
  }

  private static float[] gaussian(Random r, int n, double sd) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextGaussian() * sd);
    }
    return a;
  }

  private void add(String name, float[] data, Shape shape) {
    NDArray a = manager.create(data, shape);
    a.setName(name);
    names.add(name);
    params.add(a);
  }

  private NDArray param(String name) {
    return params.get(names.indexOf(name));
  }

  /** Logits [n, classes] of the rows, computed on {@code nd}. */
  NDArray forward(NDManager nd, TfIdf.Row[] rows, float[][] emb) {
    int n = rows.length;
    int len = 1;
    for (TfIdf.Row r : rows) {
      len = Math.max(len, r.idx().length);
    }
    long[] idx = new long[n * len];
    float[] val = new float[n * len];
    float[] e = new float[n * MiniLmEncoder.DIM];
    for (int i = 0; i < n; i++) {
      int[] ri = rows[i].idx();
      float[] rv = rows[i].val();
      for (int j = 0; j < ri.length; j++) {
        idx[i * len + j] = ri[j];
        val[i * len + j] = rv[j];
      }
      System.arraycopy(emb[i], 0, e, i * MiniLmEncoder.DIM, MiniLmEncoder.DIM);
    }
    NDArray index = nd.create(idx, new Shape(n, len));
    NDArray values = nd.create(val, new Shape(n, len, 1));
    NDArray gathered =
        index
            .getNDArrayInternal()
            .embedding(index, param("tfidf.weight"), SparseFormat.DENSE)
            .head();
    NDArray logits = gathered.mul(values).sum(new int[] {1});
    NDArray x = nd.create(e, new Shape(n, MiniLmEncoder.DIM));
    if (hidden > 0) {
      NDArray h = Activation.relu(x.matMul(param("emb.w1")).add(param("emb.b1")));
      logits = logits.add(h.matMul(param("emb.w2")));
    } else {
      logits = logits.add(x.matMul(param("emb.w")));
    }
    return logits.add(param("bias"));
  }

  /** Called after each epoch (1-based); returning false stops the training. */
  @FunctionalInterface
  public interface EpochListener {
    boolean afterEpoch(int epoch);
  }

  /** Trains in place on rows {@code x}, embeddings {@code emb}, labels {@code y}. */
  public void fit(TfIdf.Row[] x, float[][] emb, int[] y, Options o) {
    fit(x, emb, y, o, e -> true);
  }

  /** As above, calling {@code listener} after every epoch. */
  public void fit(TfIdf.Row[] x, float[][] emb, int[] y, Options o, EpochListener listener) {
    Optimizer adam =
        Optimizer.adam()
            .optLearningRateTracker(Tracker.fixed(o.lr()))
            .optWeightDecays(o.weightDecay())
            .build();
    for (NDArray p : params) {
      p.setRequiresGradient(true);
    }
    Random r = new Random(o.seed());
    int[] order = new int[x.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Engine engine = Engine.getEngine("PyTorch");
    for (int epoch = 0; epoch < o.epochs(); epoch++) {
      for (int i = order.length - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (int from = 0; from < order.length; from += o.batch()) {
        int to = Math.min(order.length, from + o.batch());
        int[] b = Arrays.copyOfRange(order, from, to);
        TfIdf.Row[] bx = new TfIdf.Row[b.length];
        float[][] be = new float[b.length][];
        float[] onehot = new float[b.length * classes];
        for (int k = 0; k < b.length; k++) {
          bx[k] = x[b[k]];
          be[k] = emb[b[k]];
          onehot[k * classes + y[b[k]]] = 1;
        }
        try (NDManager nd = manager.newSubManager()) {
          try (GradientCollector gc = engine.newGradientCollector()) {
            NDArray logits = forward(nd, bx, be);
            NDArray target = nd.create(onehot, new Shape(b.length, classes));
            NDArray loss = logits.logSoftmax(1).mul(target).sum().neg().div(b.length);
            gc.backward(loss);
          }
          for (int k = 0; k < params.size(); k++) {
            NDArray p = params.get(k);
            NDArray g = p.getGradient();
            g.attach(nd);
            adam.update(names.get(k), p, g);
            g.subi(g);
          }
        }
      }
      if (!listener.afterEpoch(epoch + 1)) {
        break;
      }
    }
    for (NDArray p : params) {
      p.setRequiresGradient(false);
    }
  }

  /** Class probabilities [n][classes]. */
  public float[][] predict(TfIdf.Row[] x, float[][] emb) {
    float[][] out = new float[x.length][];
    int batch = 512;
    for (int from = 0; from < x.length; from += batch) {
      int to = Math.min(x.length, from + batch);
      try (NDManager nd = manager.newSubManager()) {
        float[] p =
            forward(nd, Arrays.copyOfRange(x, from, to), Arrays.copyOfRange(emb, from, to))
                .softmax(1)
                .toFloatArray();
        for (int i = from; i < to; i++) {
          out[i] = Arrays.copyOfRange(p, (i - from) * classes, (i - from + 1) * classes);
        }
      }
    }
    return out;
  }

  /** Writes the parameters (DJL's NDList encoding, with names) to {@code file}. */
  public void save(Path file) throws IOException {
    NDList list = new NDList(params.toArray(new NDArray[0]));
    try (OutputStream out = Files.newOutputStream(file)) {
      list.encode(out);
    }
  }

  /** Reads a head written by {@link #save}. */
  public static SentimentHead load(Path file) throws IOException {
    NDManager tmp = Engine.getEngine("PyTorch").newBaseManager();
    try (InputStream in = Files.newInputStream(file)) {
      NDList list = NDList.decode(tmp, in);
      NDArray t = list.get("tfidf.weight");
      NDArray w1 = list.get("emb.w1");
      int hidden = w1 == null ? 0 : (int) w1.getShape().get(1);
      SentimentHead h =
          new SentimentHead((int) t.getShape().get(0), (int) t.getShape().get(1), hidden);
      for (NDArray a : list) {
        h.add(a.getName(), a.toFloatArray(), a.getShape());
      }
      return h;
    } finally {
      tmp.close();
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
