package io.shopflow.marketing.sidecars.oip;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and latency percentiles of the sidecar, rendered in the Prometheus text format: requests
 * by model and status, rows, batches and a batch-size histogram, queue rejections, and request
 * latency quantiles (0.5, 0.9, 0.99) over the last {@value #WINDOW} requests per model.
 */
public final class Metrics {
  static final int WINDOW = 8192;
  static final long[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};

  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, PerModel> models = new ConcurrentHashMap<>();

  /** Figures of one model. */
  static final class PerModel {
    final LongAdder rows = new LongAdder();
    final LongAdder batches = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder[] batchBuckets = new LongAdder[BATCH_BUCKETS.length + 1];
    final AtomicLong batchRowsSum = new AtomicLong();
    final long[] latencies = new long[WINDOW];
    long latencyCount;
    double latencySum;

    PerModel() {
      for (int i = 0; i < batchBuckets.length; i++) {
        batchBuckets[i] = new LongAdder();
      }
    }
  }

  private PerModel model(String name) {
    return models.computeIfAbsent(name, n -> new PerModel());
  }

  /** One answered request (any path); {@code model} may be empty. */
  public void request(String model, int status) {
    requests.computeIfAbsent(model + '\u0000' + status, k -> new LongAdder()).increment();
  }

  public void latency(String model, long nanos) {
    PerModel m = model(model);
    synchronized (m) {
      m.latencies[(int) (m.latencyCount % WINDOW)] = nanos;
      m.latencyCount++;
      m.latencySum += nanos / 1e9;
    }
  }

  public void batch(String model, int rows) {
    PerModel m = model(model);
    m.rows.add(rows);
    m.batches.increment();
    m.batchRowsSum.addAndGet(rows);
    int b = 0;
    while (b < BATCH_BUCKETS.length && rows > BATCH_BUCKETS[b]) {
      b++;
    }
    m.batchBuckets[b].increment();
  }

  public void rejected(String model) {
    model(model).rejected.increment();
  }

  /** Latency quantile in seconds over the window (NaN before the first request). */
  public double latencyQuantile(String model, double q) {
    PerModel m = model(model);
    long[] copy;
    synchronized (m) {
      int n = (int) Math.min(m.latencyCount, WINDOW);
      copy = Arrays.copyOf(m.latencies, n);
    }
    if (copy.length == 0) {
      return Double.NaN;
    }
    Arrays.sort(copy);
    int i = (int) Math.min(copy.length - 1, Math.ceil(q * copy.length) - 1);
    return copy[Math.max(0, i)] / 1e9;
  }

  public long batches(String model) {
    return model(model).batches.sum();
  }

  public long rows(String model) {
    return model(model).rows.sum();
  }

  public String prometheus(Map<String, Integer> queueDepth) {
    StringBuilder sb = new StringBuilder();
    sb.append("# HELP sidecar_requests_total HTTP requests answered, by model and status.\n");
    sb.append("# TYPE sidecar_requests_total counter\n");
    new TreeMap<>(requests)
        .forEach(
            (k, v) -> {
              int z = k.indexOf('\u0000');
              sb.append(
                  String.format(
                      Locale.ROOT,
                      "sidecar_requests_total{model=\"%s\",code=\"%s\"} %d%n",
                      k.substring(0, z),
                      k.substring(z + 1),
                      v.sum()));
            });
    sb.append("# HELP sidecar_rows_total Rows (candidates, texts) inferred.\n");
    sb.append("# TYPE sidecar_rows_total counter\n");
    Map<String, PerModel> sorted = new TreeMap<>(models);
    sorted.forEach((n, m) -> line(sb, "sidecar_rows_total", n, m.rows.sum()));
    sb.append("# HELP sidecar_rejected_total Requests refused because the queue was full (503).\n");
    sb.append("# TYPE sidecar_rejected_total counter\n");
    sorted.forEach((n, m) -> line(sb, "sidecar_rejected_total", n, m.rejected.sum()));
    sb.append("# HELP sidecar_queue_depth Requests waiting for the model's worker.\n");
    sb.append("# TYPE sidecar_queue_depth gauge\n");
    new TreeMap<>(queueDepth).forEach((n, d) -> line(sb, "sidecar_queue_depth", n, d));
    sb.append("# HELP sidecar_batch_rows Rows per model call (micro-batches across requests).\n");
    sb.append("# TYPE sidecar_batch_rows histogram\n");
    sorted.forEach(
        (n, m) -> {
          long cum = 0;
          for (int b = 0; b < BATCH_BUCKETS.length; b++) {
            cum += m.batchBuckets[b].sum();
            sb.append(
                String.format(
                    Locale.ROOT,
                    "sidecar_batch_rows_bucket{model=\"%s\",le=\"%d\"} %d%n",
                    n,
                    BATCH_BUCKETS[b],
                    cum));
          }
          cum += m.batchBuckets[BATCH_BUCKETS.length].sum();
          sb.append(
              String.format(
                  Locale.ROOT, "sidecar_batch_rows_bucket{model=\"%s\",le=\"+Inf\"} %d%n", n, cum));
          sb.append(
              String.format(
                  Locale.ROOT,
                  "sidecar_batch_rows_sum{model=\"%s\"} %d%n",
                  n,
                  m.batchRowsSum.get()));
          sb.append(
              String.format(
                  Locale.ROOT, "sidecar_batch_rows_count{model=\"%s\"} %d%n", n, m.batches.sum()));
        });
    sb.append(
        "# HELP sidecar_request_latency_seconds Infer request latency (receive to answer).\n");
    sb.append("# TYPE sidecar_request_latency_seconds summary\n");
    sorted.forEach(
        (n, m) -> {
          for (double q : new double[] {0.5, 0.9, 0.99}) {
            double v = latencyQuantile(n, q);
            sb.append(
                String.format(
                    Locale.ROOT,
                    "sidecar_request_latency_seconds{model=\"%s\",quantile=\"%s\"} %s%n",
                    n,
                    q,
                    Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.6f", v)));
          }
          synchronized (m) {
            sb.append(
                String.format(
                    Locale.ROOT,
                    "sidecar_request_latency_seconds_sum{model=\"%s\"} %.6f%n",
                    n,
                    m.latencySum));
            sb.append(
                String.format(
                    Locale.ROOT,
                    "sidecar_request_latency_seconds_count{model=\"%s\"} %d%n",
                    n,
                    m.latencyCount));
          }
        });
    return sb.toString();
  }

  private static void line(StringBuilder sb, String metric, String model, long v) {
    sb.append(String.format(Locale.ROOT, "%s{model=\"%s\"} %d%n", metric, model, v));
  }
}
