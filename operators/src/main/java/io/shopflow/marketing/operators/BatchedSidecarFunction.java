package io.shopflow.marketing.operators;

import io.shopflow.marketing.udfs.inference.CircuitBreaker;
import io.shopflow.marketing.udfs.inference.InferenceClient;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * An async function that answers each element with one model of the inference sidecar, for use with
 * {@code AsyncDataStream}. Elements are collected for up to {@link SidecarCallSettings#lingerMs} or
 * {@link SidecarCallSettings#maxBatch} per request, a failed request is retried {@link
 * SidecarCallSettings#retries} times, and after {@link SidecarCallSettings#breakerFailures}
 * consecutive requests that failed even after their retries a circuit breaker skips the sidecar for
 * a cool-down.
 *
 * <p>Never fails and never waits on a dead sidecar: without a sidecar URL, with the breaker open,
 * after the last retry, or when the async operator's timeout fires, the element gets the subclass's
 * {@link #fallback} with the reason (counted in the fallback metric); elements the model answered
 * count in the answered metric. Each element is completed once, by whichever path comes first.
 *
 * <p>Subclasses supply what differs between models: which elements need no call ({@link
 * #withoutCall}), a batch's request ({@link #request}) and how it is sent ({@link #call}), whether
 * an answer fits its request ({@link #mismatch}), and an element's output from the answer ({@link
 * #answered}) or without one ({@link #fallback}).
 *
 * @param <IN> the elements
 * @param <OUT> what each element becomes
 * @param <REQUEST> one batch's request (fixed when sent: elements may be completed while it is out)
 * @param <ANSWER> the sidecar's answer to one request
 */
public abstract class BatchedSidecarFunction<IN, OUT, REQUEST, ANSWER>
    extends RichAsyncFunction<IN, OUT> {
  private static final long serialVersionUID = 1L;

  private static final int MAX_REASON = 120;

  private final SidecarCallSettings cfg;
  private final String fallbackMetric;
  private final String answeredMetric;
  private final String batcherThread;

  // The latest failed request's reason, named when the open breaker turns elements away.
  private transient volatile String lastFailure;
  private transient InferenceClient client;
  private transient CircuitBreaker breaker;
  private transient ScheduledExecutorService scheduler;
  private transient List<Pending> batch;
  // By identity: the async operator's timeout hands back the element it was given.
  private transient Map<IN, Pending> inFlight;
  private transient Counter fallbacks;
  private transient Counter answers;

  /** One element waiting for its answer; completed once, by whichever path comes first. */
  private final class Pending {
    final IN in;
    final ResultFuture<OUT> future;
    final AtomicBoolean done = new AtomicBoolean();

    Pending(IN in, ResultFuture<OUT> future) {
      this.in = in;
      this.future = future;
    }
  }

  /**
   * @param fallbackMetric the counter of elements that got the fallback
   * @param answeredMetric the counter of elements the model answered
   * @param batcherThread the name of the thread that sends lingering batches and retries
   */
  protected BatchedSidecarFunction(
      SidecarCallSettings cfg, String fallbackMetric, String answeredMetric, String batcherThread) {
    this.cfg = cfg;
    this.fallbackMetric = fallbackMetric;
    this.answeredMetric = answeredMetric;
    this.batcherThread = batcherThread;
  }

  /** The element's output when it needs no call (passed through or answered here), else null. */
  protected abstract OUT withoutCall(IN in);

  /** The request for a batch, in the batch's order. */
  protected abstract REQUEST request(List<IN> batch);

  /** Sends the request to the model. */
  protected abstract CompletableFuture<ANSWER> call(InferenceClient client, REQUEST request);

  /** Why the answer (null if none) does not fit the request, or null if it fits. */
  protected abstract String mismatch(REQUEST request, ANSWER answer);

  /** The {@code index}-th element of the request, answered by the model. */
  protected abstract OUT answered(IN in, REQUEST request, ANSWER answer, int index);

  /** The element without the model's answer, and why (a short reason). */
  protected abstract OUT fallback(IN in, String reason);

  @Override
  public void open(OpenContext openContext) {
    batch = new ArrayList<>();
    inFlight = Collections.synchronizedMap(new IdentityHashMap<>());
    fallbacks = getRuntimeContext().getMetricGroup().counter(fallbackMetric);
    answers = getRuntimeContext().getMetricGroup().counter(answeredMetric);
    if (cfg.hasSidecar()) {
      client = cfg.newClient();
      breaker = cfg.newBreaker();
      scheduler = SidecarCallSettings.newBatcher(batcherThread);
    }
  }

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  @Override
  public void asyncInvoke(IN in, ResultFuture<OUT> future) {
    OUT local = withoutCall(in);
    if (local != null) {
      future.complete(Collections.singletonList(local));
      return;
    }
    Pending p = new Pending(in, future);
    if (client == null) {
      fallBack(p, "no sidecar configured");
      return;
    }
    inFlight.put(in, p);
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
  public void timeout(IN in, ResultFuture<OUT> future) {
    // The sidecar is too slow: never fail the job, never hold the stream; the fallback answers.
    Pending p = inFlight.get(in);
    if (p != null) {
      fallBack(p, "timeout");
    }
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
    List<Pending> sent = ps.stream().filter(p -> !p.done.get()).toList();
    if (sent.isEmpty()) {
      return;
    }
    if (!breaker.allow()) {
      String last = lastFailure;
      fallBackAll(sent, "circuit breaker open" + (last == null ? "" : " after " + last));
      return;
    }
    REQUEST request = request(sent.stream().map(p -> p.in).toList());
    try {
      call(client, request)
          .whenComplete(
              (answer, err) -> {
                String reason = err != null ? reason(err) : mismatch(request, answer);
                if (reason == null) {
                  breaker.onSuccess();
                  for (int i = 0; i < sent.size(); i++) {
                    Pending p = sent.get(i);
                    int index = i;
                    complete(p, () -> answered(p.in, request, answer, index), answers);
                  }
                  return;
                }
                lastFailure = reason;
                if (attempt < cfg.retries && !scheduler.isShutdown()) {
                  try {
                    scheduler.schedule(
                        () -> send(sent, attempt + 1), cfg.retryBackoffMs, TimeUnit.MILLISECONDS);
                    return;
                  } catch (RuntimeException rejected) {
                    // shutting down: fall back below
                  }
                }
                // Only a request that failed after its retries counts against the sidecar: a
                // hiccup that a retry got past must not turn the next requests away.
                breaker.onFailure();
                fallBackAll(sent, reason);
              });
    } catch (RuntimeException e) {
      breaker.onFailure();
      lastFailure = reason(e);
      fallBackAll(sent, lastFailure);
    }
  }

  private void fallBackAll(List<Pending> ps, String reason) {
    for (Pending p : ps) {
      fallBack(p, reason);
    }
  }

  private void fallBack(Pending p, String reason) {
    complete(p, () -> fallback(p.in, reason), fallbacks);
  }

  /**
   * Completes the element unless another path did; only then is its output made, as making it may
   * change the element.
   */
  private void complete(Pending p, Supplier<OUT> out, Counter counter) {
    if (!p.done.compareAndSet(false, true)) {
      return;
    }
    inFlight.remove(p.in);
    OUT o = out.get();
    counter.inc();
    p.future.complete(Collections.singletonList(o));
  }

  /** A short reason for a fallback: the HTTP status, a refused connection, a timeout. */
  static String reason(Throwable err) {
    Throwable e = err;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    String why;
    if (e instanceof InferenceClient.InferenceException ie) {
      why = ie.getMessage();
    } else if (e instanceof HttpTimeoutException) {
      why = "request timed out";
    } else if (e instanceof ConnectException) {
      why = "connection refused";
    } else if (e instanceof java.io.IOException && e.getCause() instanceof ConnectException) {
      why = "connection refused";
    } else {
      String m = e.getMessage();
      why = e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }
    why = why.replaceAll("\\s+", " ").strip();
    return why.length() > MAX_REASON ? why.substring(0, MAX_REASON - 3) + "..." : why;
  }
}
