package io.shopflow.marketing.sidecars.oip;

import java.util.List;
import java.util.Map;

/**
 * A model the sidecar serves. The server validates a request into {@link Rows} on the HTTP thread
 * ({@link #decode}); one worker thread per model then runs several requests' rows as one batch
 * ({@link #infer}), so implementations need not be thread-safe in {@code infer}.
 */
public interface InferenceModel extends AutoCloseable {
  String name();

  /** Platform string of the metadata, e.g. {@code pytorch_djl}. */
  String platform();

  List<TensorSpec> inputs();

  List<TensorSpec> outputs();

  /** Rows of one request: an opaque payload and how many rows it holds. */
  record Rows(Object payload, int count) {}

  /**
   * Checks a request's inputs against {@link #inputs()} and converts them; throws {@link
   * OipException} (400) with a message naming the problem.
   */
  Rows decode(Map<String, Tensor> inputs);

  /** Runs the rows of several requests in one batch; returns each request's output tensors. */
  List<List<Tensor>> infer(List<Rows> batch);

  @Override
  default void close() {}
}
