package io.shopflow.marketing.operators.bench;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The floor the benchmarks measure the job against: per record, one ~100-byte {@code ValueState} of
 * the record's key read and written back, nothing emitted. One definition for the job benchmark
 * ({@code bench}) and the operator benchmark (JMH), so that both compare with the same thing.
 */
public final class OneSmallValueState<K, T> extends KeyedProcessFunction<K, T, Long> {
  private static final long serialVersionUID = 1L;

  private transient ValueState<byte[]> state;
  private transient long records;

  @Override
  public void open(OpenContext ctx) {
    state = getRuntimeContext().getState(new ValueStateDescriptor<>("small", byte[].class));
  }

  @Override
  public void processElement(T record, Context ctx, Collector<Long> out) throws Exception {
    byte[] v = state.value();
    if (v == null) {
      v = new byte[100];
    }
    v[(int) (records++ % 100)]++; // a changed value, so the write is a real one
    state.update(v);
  }
}
