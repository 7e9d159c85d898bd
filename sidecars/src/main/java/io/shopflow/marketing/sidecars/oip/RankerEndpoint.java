package io.shopflow.marketing.sidecars.oip;

import io.shopflow.marketing.sidecars.ranker.RankerNet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Serves the ranker: input {@code features} FP32 [n, F] (rows of {@code RankerFeatures}), output
 * {@code score} FP32 [n].
 */
public final class RankerEndpoint implements InferenceModel {
  private final RankerNet net;

  public RankerEndpoint(RankerNet net) {
    this.net = net;
  }

  @Override
  public String name() {
    return "ranker";
  }

  @Override
  public String platform() {
    return "pytorch_djl";
  }

  @Override
  public List<TensorSpec> inputs() {
    return List.of(new TensorSpec("features", Tensor.FP32, new long[] {-1, net.features()}));
  }

  @Override
  public List<TensorSpec> outputs() {
    return List.of(new TensorSpec("score", Tensor.FP32, new long[] {-1}));
  }

  @Override
  public Rows decode(Map<String, Tensor> inputs) {
    Tensor t = inputs.get("features");
    if (t == null || inputs.size() != 1) {
      throw OipException.badRequest(
          "model 'ranker' takes exactly one input, 'features' (FP32 [n, "
              + net.features()
              + "]); got "
              + inputs.keySet());
    }
    if (!Tensor.FP32.equals(t.datatype())) {
      throw OipException.badRequest("input 'features' must be FP32, got " + t.datatype());
    }
    long[] s = t.shape();
    if (s.length != 2 || s[1] != net.features()) {
      throw OipException.badRequest(
          "input 'features' must have shape [n, "
              + net.features()
              + "], got "
              + java.util.Arrays.toString(s));
    }
    if (s[0] == 0) {
      throw OipException.badRequest("input 'features' has no rows");
    }
    return new Rows(t.fp32(), (int) s[0]);
  }

  @Override
  public List<List<Tensor>> infer(List<Rows> batch) {
    int total = 0;
    for (Rows r : batch) {
      total += r.count();
    }
    int f = net.features();
    float[] x;
    if (batch.size() == 1) {
      x = (float[]) batch.get(0).payload();
    } else {
      x = new float[total * f];
      int at = 0;
      for (Rows r : batch) {
        float[] p = (float[]) r.payload();
        System.arraycopy(p, 0, x, at, p.length);
        at += p.length;
      }
    }
    float[] scores = net.predict(x, total);
    List<List<Tensor>> out = new ArrayList<>(batch.size());
    int at = 0;
    for (Rows r : batch) {
      float[] mine = java.util.Arrays.copyOfRange(scores, at, at + r.count());
      at += r.count();
      out.add(List.of(Tensor.fp32("score", new long[] {r.count()}, mine)));
    }
    return out;
  }

  @Override
  public void close() {
    net.close();
  }
}
