package io.shopflow.marketing.pipelines.cli;

import io.shopflow.marketing.pipelines.demo.DemoRunner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The embedded default: a real broker, a mini-cluster and real shop data, all on this machine. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Starts a single-node Kafka broker (KRaft, 127.0.0.1), runs the job on a local Flink"
          + " mini-cluster with RocksDB and checkpoints, replays real shop data into it",
      "(UCI Online Retail purchases and catalogue, OTTO sessions) and prints what came out."
          + " With the inference sidecar built and trained (sidecars/target), it starts that too"
          + " (on 127.0.0.1) and ranks recommendations and scores reviews with it.",
      "Everything is stopped afterwards, also on Ctrl-C."
    })
public class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--data",
      defaultValue = "../shared/data",
      description =
          "Folder holding uci-online-retail/ and otto-recsys-sample/. Default: ${DEFAULT-VALUE}.")
  Path data;

  @Option(
      names = "--max-events",
      defaultValue = "0",
      description = "Replay at most this many input records (0 = all). Default: ${DEFAULT-VALUE}.")
  long maxEvents;

  @Option(
      names = "--speed",
      defaultValue = "0",
      description =
          "Replay speed as event-time seconds per wall-clock second (3600 = an hour per"
              + " second); 0 = as fast as possible. Default: ${DEFAULT-VALUE}.")
  double speed;

  @Option(names = "--summary", paramLabel = "FILE", description = "Also write the summary as JSON.")
  Path summary;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description =
          "Where the broker's log and the checkpoints go (default: a temporary folder, deleted"
              + " afterwards).")
  Path workDir;

  @Option(
      names = "--checkpoint-interval-ms",
      defaultValue = "2000",
      description =
          "Checkpoint interval; actions are committed (visible) at each. Default:"
              + " ${DEFAULT-VALUE}.")
  long checkpointIntervalMs;

  @Option(
      names = "--catch-up-timeout",
      defaultValue = "600",
      description =
          "Seconds to wait for the job to catch up after the replay. Default: ${DEFAULT-VALUE}.")
  long catchUpTimeoutSeconds;

  @Option(
      names = "--with-elasticsearch",
      description =
          "Also start an Elasticsearch "
              + io.shopflow.marketing.pipelines.elasticsearch.EmbeddedElasticsearch.VERSION
              + " node (127.0.0.1, from ~/.m2; fetched through Maven when absent) and write"
              + " actions, profiles and trigger metrics to it.")
  boolean withElasticsearch;

  @Option(
      names = "--es-linger",
      paramLabel = "SECONDS",
      defaultValue = "0",
      description =
          "With --with-elasticsearch: keep the node up this long after the summary, to query it"
              + " (Ctrl-C ends it earlier). Default: ${DEFAULT-VALUE}.")
  long esLingerSeconds;

  @Mixin ElasticsearchOptions elasticsearch;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin KafkaOptions kafka;
  @Mixin EngineOptions engine;
  @Mixin SidecarOptions sidecar;

  @Option(
      names = "--no-sidecar",
      description =
          "Score review sentiment with the lexicon fallback only and keep the hybrid order of"
              + " recommendations: start no sidecar, even if --sidecar-url is given.")
  boolean noSidecar;

  @Option(
      names = "--sidecar-jar",
      paramLabel = "JAR",
      defaultValue = "sidecars/target/inference-sidecar.jar",
      description =
          "Without --sidecar-url and --no-sidecar, the demo starts this inference sidecar on"
              + " 127.0.0.1 (when it and a trained model exist) and stops it afterwards. Default:"
              + " ${DEFAULT-VALUE}.")
  Path sidecarJar;

  @Option(
      names = "--sidecar-models",
      paramLabel = "DIR",
      defaultValue = "sidecars/target/models",
      description =
          "Model folder of the sidecar the demo starts (ranker/, sentiment/; made by its"
              + " train-ranker and train-sentiment). Default: ${DEFAULT-VALUE}.")
  Path sidecarModels;

  @Option(
      names = "--sidecar-ready-timeout",
      paramLabel = "SECONDS",
      defaultValue = "120",
      description =
          "How long to wait for the sidecar the demo starts to be ready. Default:"
              + " ${DEFAULT-VALUE}.")
  long sidecarReadySeconds;

  @Override
  public Integer call() throws Exception {
    return new DemoRunner(options()).run();
  }

  /** The demo's settings from the parsed options. */
  DemoRunner.Options options() {
    DemoRunner.Options o = new DemoRunner.Options();
    o.data = data;
    o.maxEvents = maxEvents;
    o.speed = speed;
    o.summaryFile = summary;
    o.workDir = workDir;
    o.checkpointIntervalMs = checkpointIntervalMs;
    o.catchUpTimeoutSeconds = catchUpTimeoutSeconds;
    o.kafka = kafka;
    o.idlenessGiven = spec.commandLine().getParseResult().hasMatchedOption("--idleness");
    o.engine = engine.toConfig();
    o.withElasticsearch = withElasticsearch;
    o.esLingerSeconds = esLingerSeconds;
    o.elasticsearch = elasticsearch;
    sidecar.sharingTheMachine();
    sidecar.applyTo(o.sentiment);
    sidecar.applyTo(o.ranking);
    o.sidecarJar = sidecarJar;
    o.sidecarModels = sidecarModels;
    o.sidecarReadyTimeout = java.time.Duration.ofSeconds(sidecarReadySeconds);
    if (noSidecar) {
      o.sentiment.sidecarUrl = null;
      o.ranking.sidecarUrl = null;
      o.noSidecarReason = "--no-sidecar";
    } else {
      // Without a sidecar URL, the demo starts its own (when built and trained).
      o.startSidecar = o.sentiment.sidecarUrl == null && o.ranking.sidecarUrl == null;
    }
    return o;
  }
}
