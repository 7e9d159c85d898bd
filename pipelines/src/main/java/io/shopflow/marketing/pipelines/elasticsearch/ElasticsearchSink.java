package io.shopflow.marketing.pipelines.elasticsearch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Flink Sink V2 over the official Elasticsearch Java client: bulk writes of {@link EsOperation}s
 * with retries, refused documents to {@link FailedDocuments}, and unacknowledged operations kept in
 * the writer state at every checkpoint (see {@link ElasticsearchWriter}). With deterministic ids
 * the delivery is at least once and the effect exactly once.
 */
public final class ElasticsearchSink
    implements Sink<EsOperation>, SupportsWriterState<EsOperation, EsOperation> {
  private static final long serialVersionUID = 1L;

  private final ElasticsearchSettings settings;
  private final FailedDocuments failed;

  public ElasticsearchSink(ElasticsearchSettings settings, FailedDocuments failed) {
    this.settings = settings;
    this.failed = failed;
  }

  @Override
  public StatefulSinkWriter<EsOperation, EsOperation> createWriter(WriterInitContext context)
      throws IOException {
    return restoreWriter(context, List.of());
  }

  @Override
  public StatefulSinkWriter<EsOperation, EsOperation> restoreWriter(
      WriterInitContext context, Collection<EsOperation> recoveredState) throws IOException {
    return new ElasticsearchWriter(
        settings,
        ElasticsearchClients.create(settings),
        failed,
        context.metricGroup(),
        recoveredState,
        context.getTaskInfo().getIndexOfThisSubtask());
  }

  @Override
  public SimpleVersionedSerializer<EsOperation> getWriterStateSerializer() {
    return new OperationSerializer();
  }

  /** Version 1: index, id, a delete flag and the document's UTF-8 bytes. */
  static final class OperationSerializer implements SimpleVersionedSerializer<EsOperation> {
    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(EsOperation op) throws IOException {
      DataOutputSerializer out = new DataOutputSerializer(op.sizeBytes() + 16);
      out.writeUTF(op.index);
      out.writeUTF(op.id);
      out.writeBoolean(op.isDelete());
      if (!op.isDelete()) {
        byte[] json = op.json.getBytes(StandardCharsets.UTF_8);
        out.writeInt(json.length);
        out.write(json);
      }
      return out.getCopyOfBuffer();
    }

    @Override
    public EsOperation deserialize(int version, byte[] serialized) throws IOException {
      if (version != 1) {
        throw new IOException("unknown Elasticsearch writer state version " + version);
      }
      DataInputDeserializer in = new DataInputDeserializer(serialized);
      String index = in.readUTF();
      String id = in.readUTF();
      if (in.readBoolean()) {
        return EsOperation.delete(index, id);
      }
      byte[] json = new byte[in.readInt()];
      in.readFully(json);
      return EsOperation.index(index, id, new String(json, StandardCharsets.UTF_8));
    }
  }
}
