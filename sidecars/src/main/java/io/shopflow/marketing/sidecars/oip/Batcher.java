package io.shopflow.marketing.sidecars.oip;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A bounded queue of requests in front of one model and the worker thread that drains it: the
 * worker takes the oldest request, adds further waiting requests while the batch stays within
 * {@code maxBatchRows} (waiting up to {@code maxDelayMicros} for more when the queue is empty), and
 * runs them through the model in one call. A full queue refuses at once (the server answers 503).
 */
public final class Batcher implements AutoCloseable {
  /** A queued request. */
  record Job(InferenceModel.Rows rows, CompletableFuture<List<Tensor>> result) {}

  private final InferenceModel model;
  private final BlockingQueue<Job> queue;
  private final int maxBatchRows;
  private final long maxDelayNanos;
  private final Metrics metrics;
  private final Thread worker;
  private volatile boolean running = true;

  public Batcher(
      InferenceModel model, int queueCapacity, int maxBatchRows, long maxDelayMicros, Metrics m) {
    this.model = model;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.maxBatchRows = maxBatchRows;
    this.maxDelayNanos = TimeUnit.MICROSECONDS.toNanos(maxDelayMicros);
    this.metrics = m;
    this.worker = new Thread(this::run, "infer-" + model.name());
    this.worker.setDaemon(true);
    this.worker.start();
  }

  public InferenceModel model() {
    return model;
  }

  public int depth() {
    return queue.size();
  }

  /** Queues the rows; null when the queue is full. */
  public CompletableFuture<List<Tensor>> submit(InferenceModel.Rows rows) {
    CompletableFuture<List<Tensor>> f = new CompletableFuture<>();
    if (!running || !queue.offer(new Job(rows, f))) {
      return null;
    }
    return f;
  }

  private void run() {
    List<Job> batch = new ArrayList<>();
    while (running) {
      batch.clear();
      try {
        Job first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        int rows = first.rows().count();
        long deadline = System.nanoTime() + maxDelayNanos;
        while (rows < maxBatchRows) {
          Job next = queue.peek();
          if (next == null) {
            long wait = deadline - System.nanoTime();
            if (wait <= 0) {
              break;
            }
            next = queue.poll(wait, TimeUnit.NANOSECONDS);
            if (next == null) {
              break;
            }
            if (rows + next.rows().count() > maxBatchRows) {
              // Keep its place at the head of the next batch.
              runBatch(batch, rows);
              batch.clear();
              batch.add(next);
              rows = next.rows().count();
              deadline = System.nanoTime() + maxDelayNanos;
              continue;
            }
          } else if (rows + next.rows().count() > maxBatchRows) {
            break;
          } else {
            queue.poll();
          }
          batch.add(next);
          rows += next.rows().count();
        }
        runBatch(batch, rows);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    Job j;
    while ((j = queue.poll()) != null) {
      j.result().completeExceptionally(new OipException(503, "server is shutting down"));
    }
  }

  private void runBatch(List<Job> batch, int rows) {
    List<InferenceModel.Rows> in = new ArrayList<>(batch.size());
    for (Job j : batch) {
      in.add(j.rows());
    }
    try {
      List<List<Tensor>> out = model.infer(in);
      metrics.batch(model.name(), rows);
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result().complete(out.get(i));
      }
    } catch (RuntimeException | Error e) {
      for (Job j : batch) {
        j.result().completeExceptionally(e);
      }
    }
  }

  @Override
  public void close() {
    running = false;
    worker.interrupt();
    try {
      worker.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
