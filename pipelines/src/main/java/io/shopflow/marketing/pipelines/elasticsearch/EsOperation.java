package io.shopflow.marketing.pipelines.elasticsearch;

import java.util.Objects;

/**
 * One write to Elasticsearch: index a whole document under a deterministic id (a replay overwrites
 * it) or delete one. The sink's input, and what its writer keeps in checkpoints while unsent.
 */
public class EsOperation {
  /** Index, alias or time-based index name. */
  public String index;

  /** Deterministic document id. */
  public String id;

  /** The whole document as JSON; null for a delete. */
  public String json;

  public EsOperation() {}

  public static EsOperation index(String index, String id, String json) {
    EsOperation op = new EsOperation();
    op.index = index;
    op.id = id;
    op.json = Objects.requireNonNull(json, "json");
    return op;
  }

  public static EsOperation delete(String index, String id) {
    EsOperation op = new EsOperation();
    op.index = index;
    op.id = id;
    return op;
  }

  public boolean isDelete() {
    return json == null;
  }

  /** Operations with the same key replace each other: only the latest one needs sending. */
  public String key() {
    return index + '\u0000' + id;
  }

  /** Approximate size in a bulk request. */
  public int sizeBytes() {
    return 64 + index.length() + id.length() + (json == null ? 0 : json.length());
  }

  @Override
  public String toString() {
    return (isDelete() ? "delete " : "index ") + index + "/" + id;
  }
}
