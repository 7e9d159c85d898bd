package io.shopflow.marketing.operators.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

class RocksDbFlushOptionsTest {
  private static final List<String> STATES = List.of("views", "carts", "sends");
  private static final Pattern FLUSH =
      Pattern.compile("\\[([\\w-]+)\\] \\[JOB (\\d+)\\] Flushing memtable");
  private static final Pattern CREATED =
      Pattern.compile("\"cf_name\": \"([\\w-]+)\".*\"event\": \"table_file_creation\"");
  private static final Pattern COMPRESSION = Pattern.compile("\"compression\": \"(\\w+)\"");

  @TempDir Path logDir;

  @Test
  void aCheckpointFlushesEveryStateInOneJobAndLeavesLevelZeroUncompressed() throws Exception {
    List<String> log = snapshotLog(true);

    Map<String, String> jobs = flushJobs(log);
    assertThat(jobs).containsOnlyKeys(STATES);
    assertThat(jobs.values()).as("flush job per state").containsOnly(jobs.get("views"));
    assertThat(compressions(log))
        .containsOnlyKeys(STATES)
        .allSatisfy((state, compression) -> assertThat(compression).isEqualTo("NoCompression"));
  }

  @Test
  void withRocksDbsDefaultsEachStateIsFlushedByAJobOfItsOwnAndCompressed() throws Exception {
    // The contrast: what the options change, read from the same log.
    List<String> log = snapshotLog(false);

    Map<String, String> jobs = flushJobs(log);
    assertThat(jobs).containsOnlyKeys(STATES);
    assertThat(jobs.values()).doesNotHaveDuplicates();
    assertThat(compressions(log))
        .containsOnlyKeys(STATES)
        .allSatisfy((state, compression) -> assertThat(compression).isEqualTo("Snappy"));
  }

  @Test
  void raisesTheFlushThreadsAndKeepsTheCompactionsRocksDbWouldDerive() {
    RocksDB.loadLibrary();
    try (DBOptions fourJobs = new DBOptions().setMaxBackgroundJobs(4);
        DBOptions eightJobs = new DBOptions().setMaxBackgroundJobs(8)) {
      DBOptions four = new RocksDbFlushOptions().createDBOptions(fourJobs, new ArrayList<>());
      assertThat(four.atomicFlush()).isTrue();
      assertThat(four.maxBackgroundFlushes()).isEqualTo(4);
      assertThat(four.maxBackgroundCompactions()).isEqualTo(3); // 4 jobs: 1 flush, 3 compactions

      Configuration conf = new Configuration();
      conf.set(RocksDbFlushOptions.FLUSH_THREADS, 6);
      DBOptions eight =
          new RocksDbFlushOptions().configure(conf).createDBOptions(eightJobs, new ArrayList<>());
      assertThat(eight.maxBackgroundFlushes()).isEqualTo(6);
      assertThat(eight.maxBackgroundCompactions()).isEqualTo(6); // 8 jobs: 2 flushes, 6
    }
  }

  @Test
  void keepsTheConfiguredCompressionBelowLevelZero() {
    RocksDB.loadLibrary();
    try (ColumnFamilyOptions lz4 =
            new ColumnFamilyOptions().setCompressionType(CompressionType.LZ4_COMPRESSION);
        ColumnFamilyOptions perLevel =
            new ColumnFamilyOptions()
                .setCompressionPerLevel(
                    List.of(
                        CompressionType.SNAPPY_COMPRESSION,
                        CompressionType.SNAPPY_COMPRESSION,
                        CompressionType.ZSTD_COMPRESSION))) {
      ColumnFamilyOptions one = new RocksDbFlushOptions().createColumnOptions(lz4, List.of());
      assertThat(one.compressionPerLevel()).hasSize(one.numLevels());
      assertThat(one.compressionPerLevel().get(0)).isEqualTo(CompressionType.NO_COMPRESSION);
      assertThat(one.compressionPerLevel().subList(1, one.numLevels()))
          .containsOnly(CompressionType.LZ4_COMPRESSION);

      ColumnFamilyOptions levels =
          new RocksDbFlushOptions().createColumnOptions(perLevel, List.of());
      assertThat(levels.compressionPerLevel())
          .containsExactly(
              CompressionType.NO_COMPRESSION,
              CompressionType.SNAPPY_COMPRESSION,
              CompressionType.ZSTD_COMPRESSION);
    }
  }

  @Test
  void usesSmallerMemtablesUnlessTheirSizeIsConfigured() {
    RocksDB.loadLibrary();
    try (ColumnFamilyOptions unset = new ColumnFamilyOptions();
        ColumnFamilyOptions set = new ColumnFamilyOptions().setWriteBufferSize(48L << 20)) {
      assertThat(unset.writeBufferSize()).isEqualTo(64L << 20); // RocksDB's default
      assertThat(
              new RocksDbFlushOptions()
                  .configure(new Configuration())
                  .createColumnOptions(unset, List.of())
                  .writeBufferSize())
          .isEqualTo(16L << 20);

      Configuration conf = new Configuration();
      conf.set(RocksDBConfigurableOptions.WRITE_BUFFER_SIZE, MemorySize.ofMebiBytes(48));
      assertThat(
              new RocksDbFlushOptions()
                  .configure(conf)
                  .createColumnOptions(set, List.of())
                  .writeBufferSize())
          .as("Flink applied the configured size before the factory; it stays")
          .isEqualTo(48L << 20);
    }
  }

  /** RocksDB's log of one incremental snapshot of three written states. */
  private List<String> snapshotLog(boolean withOptions) throws Exception {
    Configuration conf = new Configuration();
    conf.set(RocksDBConfigurableOptions.LOG_LEVEL, org.rocksdb.InfoLogLevel.INFO_LEVEL);
    conf.set(RocksDBConfigurableOptions.LOG_DIR, logDir.toString());
    if (withOptions) {
      conf.set(RocksDBOptions.OPTIONS_FACTORY, RocksDbFlushOptions.class.getName());
    }
    EmbeddedRocksDBStateBackend backend =
        new EmbeddedRocksDBStateBackend(true).configure(conf, getClass().getClassLoader());
    try (KeyedOneInputStreamOperatorTestHarness<String, String, String> h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new WritesThreeStates()), k -> k, Types.STRING)) {
      h.setStateBackend(backend);
      h.open();
      for (int i = 0; i < 100; i++) {
        h.processElement("user-" + i, i);
      }
      h.snapshot(1, 1_000);
    }
    List<String> lines = new ArrayList<>();
    try (Stream<Path> logs = Files.list(logDir)) {
      for (Path p : logs.filter(f -> f.toString().endsWith("LOG")).toList()) {
        lines.addAll(Files.readAllLines(p, StandardCharsets.ISO_8859_1));
      }
    }
    // The snapshot's lines only: closing the harness may flush again.
    int start = lines.size() - 1;
    while (start >= 0 && !lines.get(start).contains("Started the snapshot process")) {
      start--;
    }
    assertThat(start).as("RocksDB logged a native checkpoint").isNotNegative();
    int end = start;
    while (end < lines.size() && !lines.get(end).contains("Snapshot DONE")) {
      end++;
    }
    assertThat(end).as("the checkpoint completed").isLessThan(lines.size());
    return lines.subList(start, end + 1);
  }

  private static Map<String, String> flushJobs(List<String> log) {
    Map<String, String> jobs = new TreeMap<>();
    for (String line : log) {
      Matcher m = FLUSH.matcher(line);
      if (m.find() && STATES.contains(m.group(1))) {
        jobs.put(m.group(1), m.group(2));
      }
    }
    return jobs;
  }

  /** The compression of the files written for each of the states. */
  private static Map<String, String> compressions(List<String> log) {
    Map<String, String> found = new TreeMap<>();
    for (String line : log) {
      Matcher cf = CREATED.matcher(line);
      Matcher compression = COMPRESSION.matcher(line);
      if (cf.find() && compression.find() && STATES.contains(cf.group(1))) {
        found.merge(cf.group(1), compression.group(1), (a, b) -> a.equals(b) ? a : a + "," + b);
      }
    }
    return found;
  }

  private static final class WritesThreeStates
      extends KeyedProcessFunction<String, String, String> {
    private transient List<ValueState<String>> states;

    @Override
    public void open(OpenContext ctx) {
      states = new ArrayList<>();
      for (String name : STATES) {
        states.add(getRuntimeContext().getState(new ValueStateDescriptor<>(name, Types.STRING)));
      }
    }

    @Override
    public void processElement(String user, Context ctx, Collector<String> out) throws Exception {
      for (ValueState<String> s : states) {
        s.update(user + " was here");
      }
    }
  }
}
