package io.shopflow.marketing.sidecars.sentiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The served sentiment model, as written by {@code train-sentiment} into {@code
 * <models>/sentiment}: the TF-IDF vocabulary ({@code tfidf.tsv}), the binary and 3-class heads
 * ({@code binary.params}, {@code three_class.params}) and {@code model.json} (settings, for the
 * record). The MiniLM encoder comes from the class path. Not thread-safe: the server calls it from
 * one worker thread.
 */
public final class SentimentModel implements AutoCloseable {
  public static final String NAME = "sentiment";
  public static final String[] LABELS = {"negative", "neutral", "positive"};

  /**
   * Per text: 3-class probabilities (negative, neutral, positive) and P(positive) of the binary.
   */
  public record Prediction(float[] probabilities, float positive) {
    public String label() {
      return LABELS[Scores.argmax(probabilities)];
    }
  }

  private final TfIdf tfidf;
  private final SentimentHead binary;
  private final SentimentHead threeClass;
  private final MiniLmEncoder encoder;
  private final JsonNode meta;

  SentimentModel(
      TfIdf tfidf,
      SentimentHead binary,
      SentimentHead threeClass,
      MiniLmEncoder encoder,
      JsonNode meta) {
    this.tfidf = tfidf;
    this.binary = binary;
    this.threeClass = threeClass;
    this.encoder = encoder;
    this.meta = meta;
  }

  public static Path dir(Path models) {
    return models.resolve(NAME);
  }

  public static boolean exists(Path models) {
    Path d = dir(models);
    return Files.isRegularFile(d.resolve("model.json"))
        && Files.isRegularFile(d.resolve("binary.params"))
        && Files.isRegularFile(d.resolve("three_class.params"))
        && Files.isRegularFile(d.resolve("tfidf.tsv"));
  }

  public static SentimentModel load(Path models) throws IOException {
    if (!exists(models)) {
      throw new NoSuchFileException(
          dir(models) + " (no sentiment model: run `train-sentiment --models " + models + "`)");
    }
    Path d = dir(models);
    JsonNode meta = new ObjectMapper().readTree(d.resolve("model.json").toFile());
    return new SentimentModel(
        TfIdf.load(d.resolve("tfidf.tsv")),
        SentimentHead.load(d.resolve("binary.params")),
        SentimentHead.load(d.resolve("three_class.params")),
        new MiniLmEncoder(meta.path("max_tokens").asInt(256), 32),
        meta);
  }

  public JsonNode meta() {
    return meta;
  }

  public Prediction[] predict(List<String> texts) {
    float[][] emb = encoder.encode(texts);
    return predict(tfidf.transform(texts), emb);
  }

  Prediction[] predict(TfIdf.Row[] rows, float[][] emb) {
    float[][] p3 = threeClass.predict(rows, emb);
    float[][] p2 = binary.predict(rows, emb);
    Prediction[] out = new Prediction[rows.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = new Prediction(p3[i], p2[i][1]);
    }
    return out;
  }

  @Override
  public void close() {
    binary.close();
    threeClass.close();
    encoder.close();
  }
}
