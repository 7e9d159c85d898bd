package io.shopflow.marketing.pipelines.elasticsearch;

import java.io.Serializable;

/**
 * Where documents that Elasticsearch refuses for good (a mapping error, a malformed document: any
 * 4xx but 429) go, with the reason, so that they never block the stream.
 */
public interface FailedDocuments extends Serializable {
  default void open() {}

  /** Called from the writer's sender thread; must not throw for a single bad document. */
  void report(EsOperation op, int status, String reason) throws Exception;

  default void close() {}
}
