package io.shopflow.marketing.sidecars.ranker;

import static io.shopflow.marketing.sidecars.model.NamedParameters.gaussian;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.shopflow.marketing.sidecars.Djl;
import io.shopflow.marketing.sidecars.model.NamedParameters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The ranking model, on DJL's PyTorch engine: the raw feature vector is standardised with the
 * training set's mean and standard deviation (stored with the weights, so callers send raw
 * features), then a ReLU MLP (F-h1-h2-1) gives a logit; the score is its sigmoid, the probability
 * that the user buys the item in the next period. Trained with Adam on binary cross-entropy;
 * deterministic for a seed on one device (a GPU may round differently from the CPU). {@link
 * #predict} is not thread-safe (the server calls it from one worker thread).
 */
public final class RankerNet implements AutoCloseable {
  /** Training settings. */
  public record Options(int epochs, int batch, float lr, float weightDecay, long seed) {}

  private final int features;
  private final NamedParameters params;

  private RankerNet(int features, NamedParameters params) {
    this.features = features;
    this.params = params;
  }

  public int features() {
    return features;
  }

  /** A fresh network with He-initialised weights from {@code seed}. */
  public static RankerNet create(float[] mean, float[] std, int h1, int h2, long seed) {
    int f = mean.length;
    NamedParameters p = new NamedParameters();
    Random r = new Random(seed);
    p.add("norm.mean", mean, new Shape(f));
    p.add("norm.std", std, new Shape(f));
    p.add("l1.w", gaussian(r, f * h1, Math.sqrt(2.0 / f)), new Shape(f, h1));
    p.add("l1.b", new float[h1], new Shape(h1));
    p.add("l2.w", gaussian(r, h1 * h2, Math.sqrt(2.0 / h1)), new Shape(h1, h2));
    p.add("l2.b", new float[h2], new Shape(h2));
    p.add("out.w", gaussian(r, h2, Math.sqrt(1.0 / h2)), new Shape(h2, 1));
    p.add("out.b", new float[1], new Shape(1));
    return new RankerNet(f, p);
  }

  /** Logits [n] of {@code x} [n, F]. */
  NDArray forward(NDArray x) {
    NDArray z = x.sub(params.get("norm.mean")).div(params.get("norm.std"));
    z = Activation.relu(z.matMul(params.get("l1.w")).add(params.get("l1.b")));
    z = Activation.relu(z.matMul(params.get("l2.w")).add(params.get("l2.b")));
    return z.matMul(params.get("out.w")).add(params.get("out.b")).reshape(-1);
  }

  /** Trains in place; {@code x} holds n rows of F features, row-major. */
  public void fit(float[] x, float[] y, Options o) {
    int n = y.length;
    Optimizer adam =
        Optimizer.adam()
            .optLearningRateTracker(Tracker.fixed(o.lr()))
            .optWeightDecays(o.weightDecay())
            .build();
    Map<String, NDArray> trainable = new LinkedHashMap<>();
    for (String name : params.names()) {
      if (!name.startsWith("norm.")) {
        params.get(name).setRequiresGradient(true);
        trainable.put(name, params.get(name));
      }
    }
    Random r = new Random(o.seed());
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Engine engine = Engine.getEngine("PyTorch");
    for (int epoch = 0; epoch < o.epochs(); epoch++) {
      for (int i = n - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (int from = 0; from < n; from += o.batch()) {
        int to = Math.min(n, from + o.batch());
        int b = to - from;
        float[] bx = new float[b * features];
        float[] by = new float[b];
        for (int k = 0; k < b; k++) {
          int row = order[from + k];
          System.arraycopy(x, row * features, bx, k * features, features);
          by[k] = y[row];
        }
        try (NDManager nd = params.manager().newSubManager()) {
          try (GradientCollector gc = engine.newGradientCollector()) {
            NDArray z = forward(nd.create(bx, new Shape(b, features)));
            NDArray t = nd.create(by, new Shape(b));
            // Binary cross-entropy with logits: max(z, 0) - z * t + log(1 + exp(-|z|)).
            NDArray loss =
                z.maximum(0f).sub(z.mul(t)).add(z.abs().neg().exp().add(1f).log()).mean();
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
    }
    for (NDArray p : trainable.values()) {
      p.setRequiresGradient(false);
    }
  }

  /** Scores (sigmoid of the logits) of {@code n} rows. */
  public float[] predict(float[] x, int n) {
    if (x.length != n * features) {
      throw new IllegalArgumentException(x.length + " values are not " + n + " x " + features);
    }
    try (NDManager nd = params.manager().newSubManager()) {
      return forward(nd.create(x, new Shape(n, features)))
          .getNDArrayInternal()
          .sigmoid()
          .toFloatArray();
    }
  }

  public void save(Path file) throws IOException {
    params.save(file);
  }

  public static RankerNet load(Path file) throws IOException {
    return load(file, Djl.device());
  }

  /** The network saved in {@code file}, on {@code device}. */
  public static RankerNet load(Path file, Device device) throws IOException {
    NamedParameters p = NamedParameters.load(file, device);
    try {
      return new RankerNet((int) p.get("norm.mean").getShape().get(0), p);
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
