package io.shopflow.marketing.operators.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/** The pre-flush on a real RocksDB instance, through the write-behind operator and its harness. */
class RocksDbPreFlushTest {
  private static final ValueStateDescriptor<String> VALUE =
      new ValueStateDescriptor<>("value", Types.STRING);

  @Test
  void startsABackgroundFlushOneLeadBeforeTheNextCheckpointIsDue() throws Exception {
    OperatorSubtaskState snapshot;
    try (KeyedOneInputStreamOperatorTestHarness<String, String, String> h = open(rocksDb(), null)) {
      WriteBehindKeyedProcessOperator<?, ?, ?> op = operator(h);
      RocksDbPreFlush preFlush = op.rocksDbPreFlush();
      assertThat(preFlush).as("found the operator's RocksDB instance").isNotNull();

      h.setProcessingTime(0);
      write(h, 0, 100);
      h.snapshot(1, 0);
      h.setProcessingTime(10_000);
      write(h, 100, 200);
      h.snapshot(2, 10_000); // the period is now known: 10 s, next pre-flush at 19,500
      write(h, 200, 300);
      assertThat(preFlush.activeMemtableEntries()).isGreaterThanOrEqualTo(100);

      h.setProcessingTime(19_499);
      assertThat(op.rocksDbPreFlushesStarted()).isZero();
      long before = preFlush.activeMemtableEntries();
      assertThat(before).isGreaterThanOrEqualTo(100);

      h.setProcessingTime(19_500);
      assertThat(op.rocksDbPreFlushesStarted()).isEqualTo(1);
      assertThat(preFlush.activeMemtableEntries())
          .as("the memtable was switched and handed to the background")
          .isZero();

      write(h, 300, 310);
      assertThat(preFlush.activeMemtableEntries())
          .as("what the checkpoint has left to flush")
          .isEqualTo(10);
      snapshot = h.snapshot(3, 20_000);
    }

    // Nothing written before or after the pre-flush is lost.
    try (KeyedOneInputStreamOperatorTestHarness<String, String, String> h =
        open(rocksDb(), snapshot)) {
      for (int i = 0; i < 310; i++) {
        h.processElement("read:" + key(i), 1);
      }
      List<String> read = new ArrayList<>();
      for (Object o : h.getOutput()) {
        read.add(((StreamRecord<?>) o).getValue().toString());
      }
      assertThat(read).hasSize(310);
      for (int i = 0; i < 310; i++) {
        assertThat(read.get(i)).isEqualTo(key(i) + "=v" + i);
      }
    }
  }

  @Test
  void noPreFlushWhileAnEarlierFlushIsStillWriting() throws Exception {
    try (KeyedOneInputStreamOperatorTestHarness<String, String, String> h = open(rocksDb(), null)) {
      RocksDbPreFlush preFlush = operator(h).rocksDbPreFlush();
      write(h, 0, 100);
      preFlush.db().pauseBackgroundWork(); // the flush started next stays in memory, unwritten
      try {
        assertThat(preFlush.start()).isTrue();
        write(h, 100, 150);
        assertThat(preFlush.start())
            .as("a second memtable waiting would stop the task thread's writes")
            .isFalse();
        assertThat(preFlush.activeMemtableEntries()).isEqualTo(50);
      } finally {
        preFlush.db().continueBackgroundWork();
      }
      long deadline = System.nanoTime() + 10_000_000_000L;
      boolean started = false;
      while (!started && System.nanoTime() < deadline) {
        started = preFlush.start(); // once the first flush is written
        Thread.sleep(10);
      }
      assertThat(started).isTrue();
      assertThat(preFlush.activeMemtableEntries()).isZero();
    }
  }

  @Test
  void aCheckpointBeforeThePreFlushWasDueCancelsIt() throws Exception {
    try (KeyedOneInputStreamOperatorTestHarness<String, String, String> h = open(rocksDb(), null)) {
      WriteBehindKeyedProcessOperator<?, ?, ?> op = operator(h);
      h.setProcessingTime(0);
      h.snapshot(1, 0);
      h.setProcessingTime(10_000);
      h.snapshot(2, 10_000); // pre-flush due at 19,500
      h.setProcessingTime(12_000);
      h.snapshot(3, 12_000); // a shorter period: the next is due at 13,500
      h.setProcessingTime(19_500);
      assertThat(op.rocksDbPreFlushesStarted()).isEqualTo(1);
    }
  }

  @Test
  void aHeapBackendHasNothingToPreFlush() throws Exception {
    try (KeyedOneInputStreamOperatorTestHarness<String, String, String> h =
        open(new HashMapStateBackend(), null)) {
      WriteBehindKeyedProcessOperator<?, ?, ?> op = operator(h);
      assertThat(op.rocksDbPreFlush()).isNull();
      h.setProcessingTime(0);
      write(h, 0, 10);
      h.snapshot(1, 0);
      h.setProcessingTime(10_000);
      h.snapshot(2, 10_000);
      h.setProcessingTime(20_000);
      assertThat(op.rocksDbPreFlushesStarted()).isZero();
    }
  }

  private static EmbeddedRocksDBStateBackend rocksDb() {
    Configuration conf = new Configuration();
    conf.set(RocksDBOptions.OPTIONS_FACTORY, RocksDbFlushOptions.class.getName());
    // The harness's managed memory is a few MB, whose write buffer manager would flush the
    // memtables every few writes; the test needs them to fill as in a TaskManager.
    conf.set(RocksDBOptions.USE_MANAGED_MEMORY, false);
    return new EmbeddedRocksDBStateBackend(true)
        .configure(conf, RocksDbPreFlushTest.class.getClassLoader());
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, String, String> open(
      org.apache.flink.runtime.state.StateBackend backend, OperatorSubtaskState restore)
      throws Exception {
    KeyedOneInputStreamOperatorTestHarness<String, String, String> h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new WriteBehindKeyedProcessOperator<>(new WriteThrough())
                .preFlushBeforeCheckpoints(500, 0),
            cmd -> cmd.substring(cmd.indexOf(':') + 1),
            Types.STRING);
    h.setStateBackend(backend);
    if (restore != null) {
      h.initializeState(restore);
    }
    h.open();
    return h;
  }

  private static WriteBehindKeyedProcessOperator<?, ?, ?> operator(
      KeyedOneInputStreamOperatorTestHarness<String, String, String> h) {
    return (WriteBehindKeyedProcessOperator<?, ?, ?>) h.getOneInputOperator();
  }

  private static void write(
      KeyedOneInputStreamOperatorTestHarness<String, String, String> h, int from, int to)
      throws Exception {
    for (int i = from; i < to; i++) {
      h.processElement("write:" + key(i), 1);
    }
  }

  private static String key(int i) {
    return "user-" + i;
  }

  /** "write:KEY" stores "v" + the key's number; "read:KEY" emits "KEY=value". No cache. */
  static final class WriteThrough extends KeyedProcessFunction<String, String, String>
      implements WriteBehindFunction {
    private transient ValueState<String> value;

    @Override
    public WriteBehindStates bindWriteBehind(KeyContext keys) {
      return new WriteBehindStates(null, 0, 0, 0, 0, System::currentTimeMillis);
    }

    @Override
    public void open(OpenContext ctx) {
      value = getRuntimeContext().getState(VALUE);
    }

    @Override
    public void processElement(String cmd, Context ctx, Collector<String> out) throws Exception {
      String key = ctx.getCurrentKey();
      if (cmd.startsWith("write:")) {
        value.update("v" + key.substring(key.indexOf('-') + 1));
      } else {
        out.collect(key + "=" + value.value());
      }
    }
  }
}
