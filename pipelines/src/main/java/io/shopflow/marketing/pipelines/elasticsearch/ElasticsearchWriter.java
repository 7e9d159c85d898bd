package io.shopflow.marketing.pipelines.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.util.BinaryData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers operations and sends them in bulk requests from its own thread, so that an unreachable
 * cluster never blocks the task (and so never the Kafka outputs of the same job), up to {@link
 * ElasticsearchSettings#maxBufferedDocuments}.
 *
 * <ul>
 *   <li>A bulk request goes out when {@code maxBatchActions} or {@code maxBatchBytes} are reached,
 *       {@code flushInterval} after the oldest waiting document, or at a checkpoint.
 *   <li>429, 5xx and request failures (cluster unreachable) are retried with exponential backoff;
 *       other per-document failures go to {@link FailedDocuments} (the DLQ) with the reason.
 *   <li>A checkpoint stores every operation not yet acknowledged (waiting or in flight) in the
 *       writer state, without waiting for Elasticsearch: checkpoints (and the exactly-once Kafka
 *       outputs they commit) go on while the cluster is down, and a restore re-sends them.
 *   <li>Operations on the same document replace each other while waiting (the latest wins), and a
 *       retried operation never overtakes a newer one of its document.
 * </ul>
 */
final class ElasticsearchWriter implements StatefulSinkWriter<EsOperation, EsOperation> {
  private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchWriter.class);

  private final ElasticsearchSettings s;
  private final ElasticsearchClient client;
  private final FailedDocuments failed;
  private final Object lock = new Object();
  private final LinkedHashMap<String, EsOperation> pending = new LinkedHashMap<>();
  private List<EsOperation> inFlight = List.of();
  private long pendingBytes;
  private long firstPendingNanos;
  private long backoffUntilNanos;
  private long backoffMs;
  private boolean flushRequested;
  private volatile boolean closed;
  private volatile Throwable senderFailure;
  private boolean indicesReady;
  private long failedRequests;
  private final Thread sender;

  private final AtomicLong written = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();

  ElasticsearchWriter(
      ElasticsearchSettings s,
      ElasticsearchClient client,
      FailedDocuments failed,
      MetricGroup metrics,
      Collection<EsOperation> restored,
      int subtask) {
    this.s = s;
    this.client = client;
    this.failed = failed;
    this.backoffMs = s.initialBackoff.toMillis();
    for (EsOperation op : restored) {
      add(op);
    }
    if (metrics != null) {
      metrics.gauge("esDocumentsWritten", written::get);
      metrics.gauge("esDocumentsRefused", refused::get);
      metrics.gauge("esDocumentsRetried", retried::get);
      metrics.gauge("esDocumentsPending", this::pendingCount);
    }
    failed.open();
    sender = new Thread(this::sendLoop, "elasticsearch-bulk-" + subtask);
    sender.setDaemon(true);
    sender.start();
  }

  // ------------------------------------------------------------------ task thread

  @Override
  public void write(EsOperation op, Context context) throws IOException, InterruptedException {
    synchronized (lock) {
      while (pending.size() >= s.maxBufferedDocuments) {
        rethrowSenderFailure();
        lock.wait(100); // bounded buffer: slow the job down rather than lose documents
      }
      add(op);
      if (pending.size() >= s.maxBatchActions || pendingBytes >= s.maxBatchBytes) {
        lock.notifyAll();
      }
    }
    rethrowSenderFailure();
  }

  /**
   * At a checkpoint ({@code endOfInput} false): sends what is waiting now, without waiting for it
   * (the writer state keeps it). At the end of the input: waits until everything is acknowledged.
   */
  @Override
  public void flush(boolean endOfInput) throws IOException, InterruptedException {
    synchronized (lock) {
      if (!pending.isEmpty()) {
        flushRequested = true;
        lock.notifyAll();
      }
      while (endOfInput && (!pending.isEmpty() || !inFlight.isEmpty())) {
        rethrowSenderFailure();
        flushRequested = true;
        lock.notifyAll();
        lock.wait(100);
      }
    }
    rethrowSenderFailure();
  }

  /** Everything not yet acknowledged by Elasticsearch, oldest first. */
  @Override
  public List<EsOperation> snapshotState(long checkpointId) throws IOException {
    rethrowSenderFailure();
    synchronized (lock) {
      List<EsOperation> state = new ArrayList<>(inFlight.size() + pending.size());
      for (EsOperation op : inFlight) {
        if (!pending.containsKey(op.key())) {
          state.add(op);
        }
      }
      state.addAll(pending.values());
      return state;
    }
  }

  @Override
  public void close() throws Exception {
    closed = true;
    synchronized (lock) {
      lock.notifyAll();
    }
    sender.interrupt();
    sender.join(10_000);
    failed.close();
    client._transport().close();
  }

  int pendingCount() {
    synchronized (lock) {
      return pending.size() + inFlight.size();
    }
  }

  private void add(EsOperation op) {
    EsOperation prev = pending.remove(op.key());
    if (prev != null) {
      pendingBytes -= prev.sizeBytes();
    }
    if (pending.isEmpty()) {
      firstPendingNanos = System.nanoTime();
    }
    pending.put(op.key(), op);
    pendingBytes += op.sizeBytes();
  }

  private void rethrowSenderFailure() throws IOException {
    Throwable t = senderFailure;
    if (t != null) {
      throw new IOException("the Elasticsearch sender failed", t);
    }
  }

  // ------------------------------------------------------------------ sender thread

  private void sendLoop() {
    try {
      while (!closed) {
        List<EsOperation> batch = nextBatch();
        if (batch == null) {
          continue;
        }
        if (!indicesReady && s.applyTemplates) {
          // Before the first write: bulk writes create time-based indices from the templates.
          try {
            IndexSetup.apply(client);
            indicesReady = true;
          } catch (Exception e) {
            LOG.warn("Cannot apply the index templates yet ({}); retrying", e.toString());
          }
        }
        List<EsOperation> retry = new ArrayList<>();
        List<Refusal> refusals = new ArrayList<>();
        send(batch, retry, refusals);
        for (Refusal r : refusals) {
          LOG.warn("Elasticsearch refused {}: {} {}", r.op, r.status, r.reason);
          failed.report(r.op, r.status, r.reason);
        }
        synchronized (lock) {
          for (EsOperation op : retry) {
            if (!pending.containsKey(op.key())) {
              if (pending.isEmpty()) {
                firstPendingNanos = System.nanoTime();
              }
              pending.put(op.key(), op); // a newer operation of the document wins
              pendingBytes += op.sizeBytes();
            }
          }
          inFlight = List.of();
          if (retry.isEmpty()) {
            backoffMs = s.initialBackoff.toMillis();
          } else {
            retried.addAndGet(retry.size());
            backoffUntilNanos = System.nanoTime() + backoffMs * 1_000_000;
            backoffMs = Math.min(backoffMs * 2, s.maxBackoff.toMillis());
          }
          if (pending.isEmpty()) {
            flushRequested = false;
          }
          lock.notifyAll();
        }
      }
    } catch (InterruptedException e) {
      if (!closed) {
        senderFailure = e;
      }
    } catch (Throwable t) {
      LOG.error("Elasticsearch sender failed", t);
      senderFailure = t;
    }
  }

  /** Waits until a batch is due and takes it out of the buffer; null when woken for nothing. */
  private List<EsOperation> nextBatch() throws InterruptedException {
    synchronized (lock) {
      long now = System.nanoTime();
      long waitMs = dueInMs(now);
      if (waitMs > 0) {
        lock.wait(Math.min(waitMs, 1000));
        return null;
      }
      List<EsOperation> batch = new ArrayList<>();
      long bytes = 0;
      Iterator<EsOperation> it = pending.values().iterator();
      while (it.hasNext() && batch.size() < s.maxBatchActions && bytes < s.maxBatchBytes) {
        EsOperation op = it.next();
        it.remove();
        batch.add(op);
        bytes += op.sizeBytes();
      }
      pendingBytes -= bytes;
      inFlight = batch;
      return batch;
    }
  }

  /** 0 when a batch should go now, else how long to wait. */
  private long dueInMs(long now) {
    if (closed || pending.isEmpty()) {
      return 1000;
    }
    if (now < backoffUntilNanos) {
      return Math.max(1, (backoffUntilNanos - now) / 1_000_000);
    }
    if (flushRequested || pending.size() >= s.maxBatchActions || pendingBytes >= s.maxBatchBytes) {
      return 0;
    }
    long age = (now - firstPendingNanos) / 1_000_000;
    return Math.max(0, s.flushInterval.toMillis() - age);
  }

  private void send(List<EsOperation> batch, List<EsOperation> retry, List<Refusal> refusals) {
    if (!indicesReady && s.applyTemplates) {
      retry.addAll(batch);
      return;
    }
    BulkRequest.Builder b = new BulkRequest.Builder();
    for (EsOperation op : batch) {
      if (op.isDelete()) {
        b.operations(o -> o.delete(d -> d.index(op.index).id(op.id)));
      } else {
        BinaryData doc =
            BinaryData.of(op.json.getBytes(StandardCharsets.UTF_8), "application/json");
        b.operations(o -> o.index(i -> i.index(op.index).id(op.id).document(doc)));
      }
    }
    BulkResponse response;
    try {
      response = client.bulk(b.build());
    } catch (Exception e) {
      // unreachable, timed out, 429/5xx for the whole request, or refused credentials: retry all
      if (++failedRequests == 1 || failedRequests % 30 == 0) {
        LOG.warn(
            "Bulk request of {} operations failed {} time(s) in a row ({}); retrying in {} ms",
            batch.size(),
            failedRequests,
            e.toString(),
            backoffMs);
      }
      retry.addAll(batch);
      return;
    }
    if (failedRequests > 0) {
      LOG.info("Elasticsearch reachable again after {} failed bulk request(s)", failedRequests);
      failedRequests = 0;
    }
    List<BulkResponseItem> items = response.items();
    for (int i = 0; i < batch.size(); i++) {
      EsOperation op = batch.get(i);
      BulkResponseItem item = i < items.size() ? items.get(i) : null;
      if (item == null) {
        retry.add(op);
        continue;
      }
      int status = item.status();
      if (item.error() == null || (op.isDelete() && status == 404)) {
        written.incrementAndGet();
      } else if (status == 429 || status >= 500) {
        retry.add(op);
      } else {
        refused.incrementAndGet();
        refusals.add(new Refusal(op, status, item.error().type() + ": " + item.error().reason()));
      }
    }
  }

  private record Refusal(EsOperation op, int status, String reason) {}
}
