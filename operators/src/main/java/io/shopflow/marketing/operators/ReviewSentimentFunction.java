package io.shopflow.marketing.operators;

import io.shopflow.marketing.schema.ReviewEvent;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.udfs.inference.CircuitBreaker;
import io.shopflow.marketing.udfs.inference.InferenceClient;
import io.shopflow.marketing.udfs.inference.LexiconSentiment;
import io.shopflow.marketing.udfs.inference.SentimentResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Scores each review's sentiment with the inference sidecar's {@code sentiment} model, for use with
 * {@code AsyncDataStream}: reviews are collected for up to {@link SentimentSettings#lingerMs} or
 * {@link SentimentSettings#maxBatch} per request, a failed request is retried {@link
 * SentimentSettings#retries} times, and after {@link SentimentSettings#breakerFailures} consecutive
 * requests that failed even after their retries a circuit breaker skips the sidecar for a
 * cool-down.
 *
 * <p>Never fails and never waits on a dead sidecar: without a sidecar URL, with the breaker open,
 * after the last retry, or when the async operator's timeout fires, the review is scored by {@link
 * LexiconSentiment} and marked {@code sentimentSource = "fallback"} (metric {@code
 * sentimentFallbacks}); answers of the model are marked {@code "model"} (metric {@code
 * sentimentModelScored}). A review without text is scored by the lexicon (neutral) without a call
 * and without counting as a fallback.
 */
public class ReviewSentimentFunction extends RichAsyncFunction<ReviewEvent, UserSignal> {
  private static final long serialVersionUID = 1L;

  public static final String MODEL = "model";
  public static final String FALLBACK = "fallback";

  /** Longest review text carried to the user operator (for the explanation). */
  static final int MAX_TEXT = 500;

  private final SentimentSettings cfg;

  private transient InferenceClient client;
  private transient CircuitBreaker breaker;
  private transient ScheduledExecutorService scheduler;
  private transient List<Pending> batch;
  private transient Counter fallbacks;
  private transient Counter modelScored;

  /** One review waiting for its score; completed once, by whichever path comes first. */
  private static final class Pending {
    final UserSignal signal;
    final String text;
    final ResultFuture<UserSignal> future;
    final AtomicBoolean done = new AtomicBoolean();

    Pending(UserSignal signal, String text, ResultFuture<UserSignal> future) {
      this.signal = signal;
      this.text = text;
      this.future = future;
    }
  }

  public ReviewSentimentFunction(SentimentSettings cfg) {
    this.cfg = cfg;
  }

  @Override
  public void open(OpenContext openContext) {
    batch = new ArrayList<>();
    fallbacks = getRuntimeContext().getMetricGroup().counter("sentimentFallbacks");
    modelScored = getRuntimeContext().getMetricGroup().counter("sentimentModelScored");
    if (cfg.hasSidecar()) {
      client = cfg.newClient();
      breaker = cfg.newBreaker();
      scheduler = SidecarCallSettings.newBatcher("review-sentiment-batcher");
    }
  }

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  @Override
  public void asyncInvoke(ReviewEvent r, ResultFuture<UserSignal> future) {
    String text = textOf(r);
    Pending p = new Pending(signalOf(r), text, future);
    if (text.isEmpty()) {
      complete(p, LexiconSentiment.score(text), FALLBACK, false);
      return;
    }
    if (client == null) {
      complete(p, LexiconSentiment.score(text), FALLBACK, true);
      return;
    }
    List<Pending> full = null;
    synchronized (this) {
      batch.add(p);
      if (batch.size() >= cfg.maxBatch) {
        full = batch;
        batch = new ArrayList<>();
      } else if (batch.size() == 1) {
        scheduler.schedule(this::flushLingering, cfg.lingerMs, TimeUnit.MILLISECONDS);
      }
    }
    if (full != null) {
      send(full, 0);
    }
  }

  @Override
  public void timeout(ReviewEvent r, ResultFuture<UserSignal> future) {
    // The sidecar is too slow: never fail the job, never hold the stream; the lexicon answers.
    fallbacks.inc();
    UserSignal s = signalOf(r);
    fill(s, LexiconSentiment.score(textOf(r)), FALLBACK);
    future.complete(Collections.singletonList(s));
  }

  private void flushLingering() {
    List<Pending> ready;
    synchronized (this) {
      if (batch.isEmpty()) {
        return;
      }
      ready = batch;
      batch = new ArrayList<>();
    }
    send(ready, 0);
  }

  private void send(List<Pending> ps, int attempt) {
    if (!breaker.allow()) {
      fallBack(ps);
      return;
    }
    String[] texts = new String[ps.size()];
    for (int i = 0; i < texts.length; i++) {
      texts[i] = ps.get(i).text;
    }
    try {
      client
          .sentiment(texts)
          .whenComplete(
              (results, err) -> {
                if (err == null && results != null && results.length == ps.size()) {
                  breaker.onSuccess();
                  for (int i = 0; i < results.length; i++) {
                    complete(ps.get(i), results[i], MODEL, false);
                  }
                  return;
                }
                if (attempt < cfg.retries && !scheduler.isShutdown()) {
                  try {
                    scheduler.schedule(
                        () -> send(ps, attempt + 1), cfg.retryBackoffMs, TimeUnit.MILLISECONDS);
                    return;
                  } catch (RuntimeException rejected) {
                    // shutting down: fall back below
                  }
                }
                // Only a request that failed after its retries counts against the sidecar: a
                // hiccup that a retry got past must not turn the next requests away.
                breaker.onFailure();
                fallBack(ps);
              });
    } catch (RuntimeException e) {
      breaker.onFailure();
      fallBack(ps);
    }
  }

  private void fallBack(List<Pending> ps) {
    for (Pending p : ps) {
      complete(p, LexiconSentiment.score(p.text), FALLBACK, true);
    }
  }

  private void complete(Pending p, SentimentResult r, String source, boolean countFallback) {
    if (!p.done.compareAndSet(false, true)) {
      return;
    }
    if (countFallback) {
      fallbacks.inc();
    } else if (MODEL.equals(source)) {
      modelScored.inc();
    }
    fill(p.signal, r, source);
    p.future.complete(Collections.singletonList(p.signal));
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
