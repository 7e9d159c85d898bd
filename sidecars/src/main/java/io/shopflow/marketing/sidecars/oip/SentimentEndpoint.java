package io.shopflow.marketing.sidecars.oip;

import io.shopflow.marketing.sidecars.sentiment.SentimentModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Serves the sentiment model: input {@code text} BYTES [n] (UTF-8 strings); outputs {@code label}
 * BYTES [n] ({@code negative}, {@code neutral}, {@code positive}), {@code probabilities} FP32 [n,
 * 3] in that order, and {@code positive} FP32 [n], the binary model's P(positive).
 */
public final class SentimentEndpoint implements InferenceModel {
  private final SentimentModel model;

  public SentimentEndpoint(SentimentModel model) {
    this.model = model;
  }

  @Override
  public String name() {
    return SentimentModel.NAME;
  }

  @Override
  public String platform() {
    return "pytorch_djl";
  }

  @Override
  public List<TensorSpec> inputs() {
    return List.of(new TensorSpec("text", Tensor.BYTES, new long[] {-1}));
  }

  @Override
  public List<TensorSpec> outputs() {
    return List.of(
        new TensorSpec("label", Tensor.BYTES, new long[] {-1}),
        new TensorSpec("probabilities", Tensor.FP32, new long[] {-1, 3}),
        new TensorSpec("positive", Tensor.FP32, new long[] {-1}));
  }

  @Override
  public Rows decode(Map<String, Tensor> inputs) {
    Tensor t = inputs.get("text");
    if (t == null || inputs.size() != 1) {
      throw OipException.badRequest(
          "model 'sentiment' takes exactly one input, 'text' (BYTES [n]); got " + inputs.keySet());
    }
    if (!Tensor.BYTES.equals(t.datatype())) {
      throw OipException.badRequest("input 'text' must be BYTES, got " + t.datatype());
    }
    long[] s = t.shape();
    boolean column = s.length == 2 && s[1] == 1;
    if (s.length != 1 && !column) {
      throw OipException.badRequest(
          "input 'text' must have shape [n] (or [n, 1]), got " + Arrays.toString(s));
    }
    if (s[0] == 0) {
      throw OipException.badRequest("input 'text' has no rows");
    }
    return new Rows(t.bytes(), (int) s[0]);
  }

  @Override
  public List<List<Tensor>> infer(List<Rows> batch) {
    List<String> texts = new ArrayList<>();
    for (Rows r : batch) {
      texts.addAll(Arrays.asList((String[]) r.payload()));
    }
    SentimentModel.Prediction[] p = model.predict(texts);
    List<List<Tensor>> out = new ArrayList<>(batch.size());
    int at = 0;
    for (Rows r : batch) {
      int n = r.count();
      String[] labels = new String[n];
      float[] probs = new float[n * 3];
      float[] pos = new float[n];
      for (int i = 0; i < n; i++) {
        SentimentModel.Prediction q = p[at + i];
        labels[i] = q.label();
        System.arraycopy(q.probabilities(), 0, probs, i * 3, 3);
        pos[i] = q.positive();
      }
      at += n;
      out.add(
          List.of(
              Tensor.bytes("label", new long[] {n}, labels),
              Tensor.fp32("probabilities", new long[] {n, 3}, probs),
              Tensor.fp32("positive", new long[] {n}, pos)));
    }
    return out;
  }

  @Override
  public void close() {
    model.close();
  }
}
