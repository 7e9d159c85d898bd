package io.shopflow.marketing.pipelines.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.shopflow.marketing.pipelines.bench.Bench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench}: the streaming core against this machine's floor (see docs/benchmarks.md). */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measures, in one process on a local mini-cluster (RocksDB, incremental exactly-once"
          + " checkpoints every 10 s): the floor (one small ValueState per event), the job's"
          + " stateful core, event-to-action latency at half the core's maximum rate, and"
          + " recovery from a task failure with exactly-once Kafka output."
    })
public class BenchCommand implements Callable<Integer> {
  @Option(
      names = "--duration",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description = "Measured window per phase. Default: ${DEFAULT-VALUE}.")
  Duration duration;

  @Option(
      names = "--warmup",
      defaultValue = "20s",
      converter = DurationConverter.class,
      description = "Warm-up before each window (start-up excluded). Default: ${DEFAULT-VALUE}.")
  Duration warmup;

  @Option(
      names = "--users",
      defaultValue = "1000000",
      description = "Distinct users (Zipf 0.8). Default: ${DEFAULT-VALUE}.")
  int users;

  @Option(
      names = "--items",
      defaultValue = "100000",
      description = "Distinct items (Zipf 1.0). Default: ${DEFAULT-VALUE}.")
  int items;

  @Option(
      names = "--parallelism",
      defaultValue = "2",
      description = "Parallelism of every operator. Default: ${DEFAULT-VALUE}.")
  int parallelism;

  @Option(
      names = "--phases",
      split = ",",
      defaultValue = "floor,core,latency,recovery",
      description = "Phases to run. Default: ${DEFAULT-VALUE}.")
  List<String> phases;

  @Option(
      names = "--latency-rate",
      defaultValue = "0",
      description =
          "Events per second of the latency run; 0 = half the core's measured maximum. Default:"
              + " ${DEFAULT-VALUE}.")
  double latencyRate;

  @Option(
      names = "--heap-timers",
      description =
          "Keep timers on the heap (Flink's state.backend.rocksdb.timer-service.factory: HEAP)"
              + " instead of in RocksDB.")
  boolean heapTimers;

  @Option(
      names = "-D",
      paramLabel = "KEY=VALUE",
      description =
          "A Flink configuration entry for every phase's job, e.g. -D"
              + " state.backend.rocksdb.writebuffer.size=8mb (repeatable); applied after the"
              + " job's own settings.")
  java.util.Map<String, String> flinkConf = new java.util.LinkedHashMap<>();

  @Option(
      names = "--changelog",
      description =
          "Run every phase's job with Flink's state changelog (in the work directory), as"
              + " run --changelog-dir does.")
  boolean changelog;

  @Option(
      names = "--visit-events",
      defaultValue = "10",
      description =
          "Events per shopper visit: a user's events come in bursts, 200 visits interleaved, as"
              + " in the OTTO sessions; 1 = every event draws its user independently. Default:"
              + " ${DEFAULT-VALUE}.")
  int visitEvents;

  @Option(
      names = "--state-cache-keys",
      defaultValue = "50000",
      description =
          "Write-behind state cache of the user and item operators, keys per subtask; 0 = every"
              + " state access goes to RocksDB. Default: ${DEFAULT-VALUE}.")
  int stateCacheKeys;

  @Option(
      names = "--state-cache-dirty-keys",
      defaultValue = "5000",
      description =
          "Of the cached keys, at most this many with unwritten changes. Default:"
              + " ${DEFAULT-VALUE}.")
  int stateCacheDirtyKeys;

  @Option(
      names = "--state-cache-dirty-age",
      defaultValue = "300ms",
      converter = DurationConverter.class,
      description =
          "A cached change older than this is written back while records are processed. Default:"
              + " ${DEFAULT-VALUE}.")
  Duration stateCacheDirtyAge;

  @Option(
      names = "--rocksdb-pre-flush-lead",
      defaultValue = "500ms",
      converter = DurationConverter.class,
      description =
          "Flush RocksDB's memtables in the background this long before each checkpoint is due;"
              + " 0ms turns it off. Default: ${DEFAULT-VALUE}.")
  Duration rocksDbPreFlushLead;

  @Option(
      names = "--state-cache-drain-age",
      defaultValue = "20ms",
      converter = DurationConverter.class,
      description =
          "From 100 ms before the pre-flush until the checkpoint, a cached change older than"
              + " this is written back while records are processed; at or above"
              + " --state-cache-dirty-age it changes nothing. Default: ${DEFAULT-VALUE}.")
  Duration stateCacheDrainAge;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
  Path json;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description = "Checkpoints and the broker's data (default: a temporary directory).")
  Path workDir;

  @Option(
      names = "--sidecar-url",
      paramLabel = "URL",
      description =
          "Rank the core's recommendations with this running inference sidecar's ranker (and"
              + " score reviews with its sentiment model), as run --sidecar-url does; default: no"
              + " sidecar calls.")
  String sidecarUrl;

  @Override
  public Integer call() throws Exception {
    Bench.Options o = new Bench.Options();
    o.duration = duration;
    o.warmup = warmup;
    o.users = users;
    o.items = items;
    o.parallelism = parallelism;
    o.latencyRate = latencyRate;
    o.stateCacheKeys = stateCacheKeys;
    o.stateCacheDirtyKeys = stateCacheDirtyKeys;
    o.stateCacheDirtyAgeMs = stateCacheDirtyAge.toMillis();
    o.rocksDbPreFlushLeadMs = rocksDbPreFlushLead.toMillis();
    o.stateCacheDrainAgeMs = stateCacheDrainAge.toMillis();
    o.visitEvents = visitEvents;
    o.changelog = changelog;
    if (heapTimers) {
      // A shorthand for the -D entry (an explicit -D wins).
      flinkConf.putIfAbsent(
          org.apache.flink.state.rocksdb.RocksDBOptions.TIMER_SERVICE_FACTORY.key(), "HEAP");
    }
    o.flinkConf = flinkConf;
    o.phases = new HashSet<>(phases);
    Path dir = workDir != null ? workDir : Files.createTempDirectory("marketing-bench");
    o.workDir = dir;
    o.sidecarUrl = sidecarUrl == null || sidecarUrl.isBlank() ? null : sidecarUrl;
    System.out.println(
        o.sidecarUrl == null
            ? "bench: no sidecar calls"
            : "bench: recommendations ranked by the sidecar at " + o.sidecarUrl);
    System.out.println("bench: " + Bench.jvmDescription());
    try {
      System.out.printf(
          "bench: %d cores, parallelism %d, %,d users, %,d items, %d events per visit, state"
              + " cache %,d keys, warm-up %s, window %s%s%n",
          Runtime.getRuntime().availableProcessors(),
          parallelism,
          users,
          items,
          visitEvents,
          stateCacheKeys,
          warmup,
          duration,
          changelog ? ", state changelog on" : "");
      Bench.Result r = new Bench(o).run();
      System.out.printf(
          "%nfloor %,.0f events per CPU-second, core %,.0f: ratio core/floor %.2f; p99 latency"
              + " %.1f ms; recovery %.2f s; %s%n",
          r.floor == null ? Double.NaN : r.floor.perCpuSecond(),
          r.core == null ? Double.NaN : r.core.perCpuSecond(),
          r.ratio(),
          r.p99LatencyMs,
          r.recoverySeconds,
          r.load);
      if (json != null) {
        new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .writeValue(json.toFile(), r.toJson());
        System.out.println("wrote " + json);
      }
      return 0;
    } finally {
      if (workDir == null) {
        org.apache.flink.util.FileUtils.deleteDirectoryQuietly(dir.toFile());
      }
    }
  }
}
