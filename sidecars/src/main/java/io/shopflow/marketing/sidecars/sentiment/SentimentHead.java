package io.shopflow.marketing.sidecars.sentiment;

import static io.shopflow.marketing.sidecars.model.NamedParameters.gaussian;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.shopflow.marketing.sidecars.model.NamedParameters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * One head of the sentiment model, run on DJL's PyTorch engine. A stack of two feature blocks:
 *
 * <pre>
 *   t      = TF-IDF row x W_lr + b_lr        (a logistic regression fitted first, then frozen;
 *                                            an embedding-bag over the full vocabulary)
 *   logits = t x S + f(MiniLM embedding) + b (S, f and b trained here)
 * </pre>
 *
 * where f is linear ({@code hidden = 0}) or a ReLU layer. During training {@code t} comes from
 * out-of-fold logistic regressions (so the head learns how far to trust them on unseen text); when
 * serving, from the frozen W_lr. Trained with Adam on softmax cross-entropy; deterministic for a
 * seed. Not thread-safe.
 */
public final class SentimentHead implements AutoCloseable {
  /** Training settings. */
  public record Options(int epochs, int batch, float lr, float weightDecay, long seed) {}

  /** Called after each epoch (1-based); returning false stops the training. */
  @FunctionalInterface
  public interface EpochListener {
    boolean afterEpoch(int epoch);
  }

  private final int vocab;
  private final int classes;
  private final int hidden;
  private final NamedParameters params;

  private SentimentHead(int vocab, int classes, int hidden, NamedParameters params) {
    this.vocab = vocab;
    this.classes = classes;
    this.hidden = hidden;
    this.params = params;
  }

  public int classes() {
    return classes;
  }

  public int hidden() {
    return hidden;
  }

  /**
   * A fresh head over the frozen regression {@code lr}: S starts as the identity (the head starts
   * as the regression), the embedding part small and random from {@code seed}.
   */
  public static SentimentHead create(LogReg lr, int vocab, int classes, int hidden, long seed) {
    NamedParameters p = new NamedParameters();
    Random r = new Random(seed);
    p.add("lr.weight", lr.weights(), new Shape(vocab, classes));
    p.add("lr.bias", lr.bias(), new Shape(classes));
    float[] eye = new float[classes * classes];
    for (int k = 0; k < classes; k++) {
      eye[k * classes + k] = 1;
    }
    p.add("stack.weight", eye, new Shape(classes, classes));
    int d = MiniLmEncoder.DIM;
    if (hidden > 0) {
      p.add("emb.w1", gaussian(r, d * hidden, Math.sqrt(2.0 / d)), new Shape(d, hidden));
      p.add("emb.b1", new float[hidden], new Shape(hidden));
      p.add("emb.w2", gaussian(r, hidden * classes, 0.01), new Shape(hidden, classes));
    } else {
      p.add("emb.w", gaussian(r, d * classes, 0.01), new Shape(d, classes));
    }
    p.add("bias", new float[classes], new Shape(classes));
    return new SentimentHead(vocab, classes, hidden, p);
  }

  /** The frozen regression's logits [n, classes] of TF-IDF rows. */
  NDArray regression(NDManager nd, TfIdf.Row[] rows) {
    int n = rows.length;
    int len = 1;
    for (TfIdf.Row r : rows) {
      len = Math.max(len, r.idx().length);
    }
    long[] idx = new long[n * len];
    float[] val = new float[n * len];
    for (int i = 0; i < n; i++) {
      int[] ri = rows[i].idx();
      float[] rv = rows[i].val();
      for (int j = 0; j < ri.length; j++) {
        idx[i * len + j] = ri[j];
        val[i * len + j] = rv[j];
      }
    }
    NDArray index = nd.create(idx, new Shape(n, len));
    NDArray values = nd.create(val, new Shape(n, len, 1));
    NDArray gathered =
        index
            .getNDArrayInternal()
            .embedding(index, params.get("lr.weight"), SparseFormat.DENSE)
            .head();
    return gathered.mul(values).sum(new int[] {1}).add(params.get("lr.bias"));
  }

  /** Logits [n, classes] from regression logits [n, classes] and embeddings [n, 384]. */
  NDArray forward(NDManager nd, NDArray t, float[][] emb) {
    int n = emb.length;
    float[] e = new float[n * MiniLmEncoder.DIM];
    for (int i = 0; i < n; i++) {
      System.arraycopy(emb[i], 0, e, i * MiniLmEncoder.DIM, MiniLmEncoder.DIM);
    }
    NDArray x = nd.create(e, new Shape(n, MiniLmEncoder.DIM));
    NDArray logits = t.matMul(params.get("stack.weight"));
    if (hidden > 0) {
      NDArray h = Activation.relu(x.matMul(params.get("emb.w1")).add(params.get("emb.b1")));
      logits = logits.add(h.matMul(params.get("emb.w2")));
    } else {
      logits = logits.add(x.matMul(params.get("emb.w")));
    }
    return logits.add(params.get("bias"));
  }

  /**
   * Trains S, f and b on regression logits {@code t} (out-of-fold for training rows), embeddings
   * and labels, calling {@code listener} after every epoch.
   */
  public void fit(float[][] t, float[][] emb, int[] y, Options o, EpochListener listener) {
    Optimizer adam =
        Optimizer.adam()
            .optLearningRateTracker(Tracker.fixed(o.lr()))
            .optWeightDecays(o.weightDecay())
            .build();
    Map<String, NDArray> trainable = new LinkedHashMap<>();
    for (String name : params.names()) {
      if (!name.startsWith("lr.")) {
        params.get(name).setRequiresGradient(true);
        trainable.put(name, params.get(name));
      }
    }
    Random r = new Random(o.seed());
    int[] order = new int[y.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Engine engine = Engine.getEngine("PyTorch");
    for (int epoch = 0; epoch < o.epochs(); epoch++) {
      for (int i = order.length - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
      }
      for (int from = 0; from < order.length; from += o.batch()) {
        int to = Math.min(order.length, from + o.batch());
        int b = to - from;
        float[] bt = new float[b * classes];
        float[][] be = new float[b][];
        float[] onehot = new float[b * classes];
        for (int k = 0; k < b; k++) {
          int row = order[from + k];
          System.arraycopy(t[row], 0, bt, k * classes, classes);
          be[k] = emb[row];
          onehot[k * classes + y[row]] = 1;
        }
        try (NDManager nd = params.manager().newSubManager()) {
          try (GradientCollector gc = engine.newGradientCollector()) {
            NDArray logits = forward(nd, nd.create(bt, new Shape(b, classes)), be);
            NDArray target = nd.create(onehot, new Shape(b, classes));
            NDArray loss = logits.logSoftmax(1).mul(target).sum().neg().div(b);
            gc.backward(loss);
          }
          for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
            NDArray p = e.getValue();
            NDArray g = p.getGradient();
            g.attach(nd);
            adam.update(e.getKey(), p, g);
            g.subi(g);
          }
        }
      }
      if (!listener.afterEpoch(epoch + 1)) {
        break;
      }
    }
    for (NDArray p : trainable.values()) {
      p.setRequiresGradient(false);
    }
  }

  /** Class probabilities [n][classes] from given regression logits (training-time rows). */
  public float[][] predict(float[][] t, float[][] emb) {
    return predict(null, t, emb);
  }

  /** Class probabilities [n][classes] of TF-IDF rows (the frozen regression) and embeddings. */
  public float[][] predict(TfIdf.Row[] x, float[][] emb) {
    return predict(x, null, emb);
  }

  private float[][] predict(TfIdf.Row[] x, float[][] t, float[][] emb) {
    float[][] out = new float[emb.length][];
    int batch = 512;
    for (int from = 0; from < emb.length; from += batch) {
      int to = Math.min(emb.length, from + batch);
      try (NDManager nd = params.manager().newSubManager()) {
        NDArray tt;
        if (x != null) {
          tt = regression(nd, Arrays.copyOfRange(x, from, to));
        } else {
          float[] flat = new float[(to - from) * classes];
          for (int i = from; i < to; i++) {
            System.arraycopy(t[i], 0, flat, (i - from) * classes, classes);
          }
          tt = nd.create(flat, new Shape(to - from, classes));
        }
        float[] p = forward(nd, tt, Arrays.copyOfRange(emb, from, to)).softmax(1).toFloatArray();
        for (int i = from; i < to; i++) {
          out[i] = Arrays.copyOfRange(p, (i - from) * classes, (i - from + 1) * classes);
        }
      }
    }
    return out;
  }

  /** Writes the parameters (DJL's NDList encoding, with names) to {@code file}. */
  public void save(Path file) throws IOException {
    params.save(file);
  }

  /** Reads a head written by {@link #save}. */
  public static SentimentHead load(Path file) throws IOException {
    NamedParameters p = NamedParameters.load(file);
    try {
      Shape w = p.get("lr.weight").getShape();
      int hidden = p.contains("emb.w1") ? (int) p.get("emb.w1").getShape().get(1) : 0;
      return new SentimentHead((int) w.get(0), (int) w.get(1), hidden, p);
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
  }

  @Override
  public void close() {
    params.close();
  }
}
