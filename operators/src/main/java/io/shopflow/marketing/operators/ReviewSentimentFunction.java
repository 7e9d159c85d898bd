package io.shopflow.marketing.operators;

import io.shopflow.marketing.schema.ReviewEvent;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.udfs.inference.InferenceClient;
import io.shopflow.marketing.udfs.inference.LexiconSentiment;
import io.shopflow.marketing.udfs.inference.SentimentResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Scores each review's sentiment with the inference sidecar's {@code sentiment} model, for use with
 * {@code AsyncDataStream}; batching, retries, the circuit breaker and timeouts are {@link
 * BatchedSidecarFunction}'s, with {@link SentimentSettings}.
 *
 * <p>Without a sidecar URL, with the breaker open, after the last retry, or when the async
 * operator's timeout fires, the review is scored by {@link LexiconSentiment} and marked {@code
 * sentimentSource = "fallback"} (metric {@code sentimentFallbacks}); answers of the model are
 * marked {@code "model"} (metric {@code sentimentModelScored}). A review without text is scored by
 * the lexicon (neutral) without a call and without counting as a fallback.
 */
public class ReviewSentimentFunction
    extends BatchedSidecarFunction<ReviewEvent, UserSignal, String[], SentimentResult[]> {
  private static final long serialVersionUID = 1L;

  public static final String MODEL = "model";
  public static final String FALLBACK = "fallback";

  /** Longest review text carried to the user operator (for the explanation). */
  static final int MAX_TEXT = 500;

  public ReviewSentimentFunction(SentimentSettings cfg) {
    super(cfg, "sentimentFallbacks", "sentimentModelScored", "review-sentiment-batcher");
  }

  /** A review without text: neutral by the lexicon, not counted as a fallback. */
  @Override
  protected UserSignal withoutCall(ReviewEvent r) {
    String text = textOf(r);
    return text.isEmpty() ? scored(r, LexiconSentiment.score(text), FALLBACK) : null;
  }

  @Override
  protected String[] request(List<ReviewEvent> batch) {
    return batch.stream().map(ReviewSentimentFunction::textOf).toArray(String[]::new);
  }

  @Override
  protected CompletableFuture<SentimentResult[]> call(InferenceClient client, String[] texts) {
    return client.sentiment(texts);
  }

  @Override
  protected String mismatch(String[] texts, SentimentResult[] results) {
    if (results != null && results.length == texts.length) {
      return null;
    }
    return "answer has "
        + (results == null ? 0 : results.length)
        + " results for "
        + texts.length
        + " texts";
  }

  @Override
  protected UserSignal answered(
      ReviewEvent r, String[] texts, SentimentResult[] results, int index) {
    return scored(r, results[index], MODEL);
  }

  /** The lexicon answers, whatever the reason. */
  @Override
  protected UserSignal fallback(ReviewEvent r, String reason) {
    return scored(r, LexiconSentiment.score(textOf(r)), FALLBACK);
  }

  private static UserSignal scored(ReviewEvent r, SentimentResult result, String source) {
    UserSignal s = signalOf(r);
    fill(s, result, source);
    return s;
  }

  /** The text the model sees: title and text, trimmed. */
  static String textOf(ReviewEvent r) {
    String title = r.title == null ? "" : r.title.strip();
    String text = r.text == null ? "" : r.text.strip();
    if (title.isEmpty()) {
      return text;
    }
    return text.isEmpty() ? title : title + ". " + text;
  }

  static UserSignal signalOf(ReviewEvent r) {
    UserSignal s = new UserSignal();
    s.kind = UserSignal.REVIEW;
    s.userId = r.userId;
    s.itemId = r.itemId;
    s.eventId = r.reviewId;
    s.eventTime = r.eventTime;
    s.eventType = "review";
    s.rating = r.rating;
    String text = r.text == null ? "" : r.text;
    s.reviewText = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
    return s;
  }

  static void fill(UserSignal s, SentimentResult r, String source) {
    float[] p = r.probabilities();
    s.sentimentLabel = r.label();
    s.negativeProbability = p.length > 0 ? p[0] : 0;
    s.sentimentScore = p.length > 2 ? p[2] - p[0] : 0;
    s.sentimentSource = source;
  }
}
