package io.shopflow.marketing.pipelines.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.GetResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The writer against a real node: bulk, overwrite, delete, refusals, and the node going away. */
@ExtendWith(ElasticsearchNode.class)
class ElasticsearchWriterTest {
  /** Collects refusals in memory (the job sends them to the DLQ topic). */
  static final class Collected implements FailedDocuments {
    static final List<String> REFUSED = new CopyOnWriteArrayList<>();

    @Override
    public void report(EsOperation op, int status, String reason) {
      REFUSED.add(op.id + " " + status + " " + reason);
    }
  }

  ElasticsearchClient client;
  final List<ElasticsearchWriter> writers = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    Collected.REFUSED.clear();
    client = ElasticsearchNode.client();
  }

  @AfterEach
  void tearDown() throws Exception {
    ElasticsearchNode.node().restart(); // a test that stopped it and failed leaves it running
    for (ElasticsearchWriter w : writers) {
      w.close();
    }
    client._transport().close();
  }

  ElasticsearchWriter writer(ElasticsearchSettings s, List<EsOperation> restored) {
    ElasticsearchWriter w =
        new ElasticsearchWriter(s, createClient(s), new Collected(), null, restored, 0);
    writers.add(w);
    return w;
  }

  static ElasticsearchClient createClient(ElasticsearchSettings s) {
    try {
      return ElasticsearchClients.create(s);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String doc(int n, String note) {
    return "{\"n\":" + n + ",\"note\":\"" + note + "\"}";
  }

  long count(String index) throws Exception {
    client.indices().refresh(r -> r.index(index));
    return client.count(c -> c.index(index)).count();
  }

  @Test
  void replayedDocumentsOverwriteInsteadOfDuplicatingAndDeletesRemoveThem() throws Exception {
    ElasticsearchSettings s = ElasticsearchNode.settings();
    s.applyTemplates = false;
    s.maxBatchActions = 7; // several bulk requests
    ElasticsearchWriter w = writer(s, List.of());
    for (int i = 0; i < 25; i++) {
      w.write(EsOperation.index("test-overwrite", "doc-" + i, doc(i, "first")), null);
    }
    w.flush(true);
    for (int i = 0; i < 25; i++) {
      w.write(EsOperation.index("test-overwrite", "doc-" + i, doc(i, "replayed")), null);
    }
    w.write(EsOperation.delete("test-overwrite", "doc-3"), null);
    w.write(EsOperation.delete("test-overwrite", "never-written"), null);
    w.flush(true);

    assertThat(count("test-overwrite")).isEqualTo(24);
    GetResponse<ObjectNode> d7 =
        client.get(g -> g.index("test-overwrite").id("doc-7"), ObjectNode.class);
    assertThat(d7.source().get("note").asText()).isEqualTo("replayed");
    assertThat(w.snapshotState(1)).isEmpty();
    assertThat(Collected.REFUSED).isEmpty();
  }

  @Test
  void aDocumentTheMappingRefusesGoesToTheFailureHandlerWithTheReasonAndTheRestIsWritten()
      throws Exception {
    ElasticsearchSettings s = ElasticsearchNode.settings();
    ElasticsearchWriter w = writer(s, List.of());
    String index = Documents.actionsIndex(0); // mkt-actions-1970.01, from the shipped template
    w.write(
        EsOperation.index(index, "good-1", "{\"action_id\":\"good-1\",\"item_count\":1}"), null);
    w.write(
        EsOperation.index(index, "bad-1", "{\"action_id\":\"bad-1\",\"item_count\":\"many\"}"),
        null);
    w.write(
        EsOperation.index(index, "bad-2", "{\"action_id\":\"bad-2\",\"no_such_field\":true}"),
        null);
    w.write(
        EsOperation.index(index, "good-2", "{\"action_id\":\"good-2\",\"item_count\":2}"), null);
    w.flush(true);

    assertThat(count(index)).isEqualTo(2);
    assertThat(Collected.REFUSED).hasSize(2);
    assertThat(Collected.REFUSED.get(0)).startsWith("bad-1 400 ").contains("item_count");
    assertThat(Collected.REFUSED.get(1)).startsWith("bad-2 400 ").contains("no_such_field");
    assertThat(w.snapshotState(1)).isEmpty();
  }

  @Test
  void whileTheNodeIsDownWritesDoNotBlockCheckpointsKeepEveryDocumentAndAllArriveWhenItIsBack()
      throws Exception {
    ElasticsearchSettings s = ElasticsearchNode.settings();
    s.applyTemplates = false;
    EmbeddedElasticsearch node = ElasticsearchNode.node();
    ElasticsearchWriter w = writer(s, List.of());
    w.write(EsOperation.index("test-down", "before", doc(-1, "up")), null);
    w.flush(true);

    node.stop();
    for (int i = 0; i < 30; i++) {
      w.write(EsOperation.index("test-down", "doc-" + i, doc(i, "v1")), null);
    }
    w.write(EsOperation.index("test-down", "doc-0", doc(0, "v2")), null); // latest wins
    w.flush(false); // a checkpoint: does not wait for the node
    List<EsOperation> state = w.snapshotState(7);
    assertThat(state).hasSize(30);
    assertThat(state.stream().filter(o -> o.id.equals("doc-0")).toList())
        .singleElement()
        .satisfies(o -> assertThat(o.json).contains("v2"));

    node.restart();
    w.flush(true); // the live writer's retries get through
    assertThat(count("test-down")).isEqualTo(31);
    assertThat(w.snapshotState(8)).isEmpty();

    // A job restored from checkpoint 7 sends the stored operations again: same ids, no duplicate.
    List<EsOperation> roundTripped = new ArrayList<>();
    ElasticsearchSink.OperationSerializer ser = new ElasticsearchSink.OperationSerializer();
    for (EsOperation op : state) {
      roundTripped.add(ser.deserialize(ser.getVersion(), ser.serialize(op)));
    }
    ElasticsearchWriter restored = writer(s, roundTripped);
    restored.flush(true);
    assertThat(count("test-down")).isEqualTo(31);
    GetResponse<ObjectNode> d0 =
        client.get(g -> g.index("test-down").id("doc-0"), ObjectNode.class);
    assertThat(d0.source().get("note").asText()).isEqualTo("v2");
  }
}
