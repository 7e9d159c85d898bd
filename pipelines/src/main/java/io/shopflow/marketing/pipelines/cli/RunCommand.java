package io.shopflow.marketing.pipelines.cli;

import io.shopflow.marketing.pipelines.JobSettings;
import io.shopflow.marketing.pipelines.MarketingJob;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The production job against a given Kafka cluster: what a cluster submission runs. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the marketing job against an existing Kafka cluster.",
      "Submitted to a Flink cluster (flink run marketing-job-cluster.jar run ...) it runs there;"
          + " started with java -jar it runs on a local mini-cluster.",
      "Outputs are transactional: read marketing.* with isolation.level=read_committed."
    })
public class RunCommand implements Callable<Integer> {
  @Option(
      names = "--bootstrap-servers",
      required = true,
      description = "Kafka bootstrap servers, e.g. kafka-0:9092,kafka-1:9092.")
  String bootstrapServers;

  @Option(
      names = "--group-id",
      defaultValue = "marketing-engine",
      description =
          "Consumer group (offsets are committed on checkpoints). Default: ${DEFAULT-VALUE}.")
  String groupId;

  @Option(
      names = "--starting-offsets",
      defaultValue = "earliest",
      description =
          "earliest or latest: where to start when the group has no committed offsets. Default:"
              + " ${DEFAULT-VALUE}.")
  String startingOffsets;

  @Option(
      names = "--checkpoint-dir",
      defaultValue = "file:///tmp/marketing-engine/checkpoints",
      description =
          "Checkpoint directory (file://, s3://, ...); RocksDB incremental. Default:"
              + " ${DEFAULT-VALUE}.")
  String checkpointDir;

  @Option(
      names = "--changelog-dir",
      paramLabel = "URI",
      description =
          "Write Flink's state changelog here (file://, s3://, ...): checkpoints without RocksDB's"
              + " synchronous snapshot, so no checkpoint pause in the action latency, for about"
              + " a tenth of the throughput. Default: off.")
  String changelogDir;

  @Option(
      names = "--checkpoint-interval",
      converter = DurationConverter.class,
      defaultValue = "10s",
      description =
          "Checkpoint interval; actions become visible to read_committed consumers at each"
              + " checkpoint. Default: ${DEFAULT-VALUE}.")
  Duration checkpointInterval;

  @Option(
      names = "--buffer-timeout",
      converter = DurationConverter.class,
      defaultValue = "5ms",
      description =
          "Longest time a record waits in a network buffer before it is sent: lower is lower"
              + " latency, higher fills buffers better under low load. Default: ${DEFAULT-VALUE}.")
  Duration bufferTimeout;

  @Option(
      names = "--transactional-id-prefix",
      defaultValue = "marketing-engine",
      description =
          "Prefix of the Kafka transactional ids; unique per job on one Kafka cluster. Default:"
              + " ${DEFAULT-VALUE}.")
  String transactionalIdPrefix;

  @Option(
      names = "--transaction-timeout",
      converter = DurationConverter.class,
      defaultValue = "10m",
      description =
          "Kafka transaction timeout: above checkpoint interval + recovery time, at most the"
              + " broker's transaction.max.timeout.ms (15 min by default). Default:"
              + " ${DEFAULT-VALUE}.")
  Duration transactionTimeout;

  @Mixin KafkaOptions kafka;
  @Mixin EngineOptions engine;
  @Mixin ClusterOptions cluster;
  @Mixin ElasticsearchOptions elasticsearch;
  @Mixin SidecarOptions sidecar;

  @Override
  public Integer call() throws Exception {
    JobSettings s = settings();
    Configuration conf = MarketingJob.flinkConfiguration(s);
    cluster.applyTo(conf);
    // Submitted to a cluster, this is the cluster's context environment; with java -jar, a local
    // mini-cluster.
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    if (env instanceof LocalStreamEnvironment) {
      env =
          StreamExecutionEnvironment.createLocalEnvironment(
              MarketingJob.forLocalCluster(conf, s.parallelism));
    } else if (s.changelogDir != null) {
      // The changelog's storage is the TaskManagers' own configuration, which a job cannot set.
      throw new IllegalArgumentException(
          "--changelog-dir configures a local run; on a cluster set state.changelog.enabled,"
              + " state.changelog.storage and dstl.dfs.base-path in the cluster's configuration"
              + " (Helm chart: checkpoints.changelog.enabled)");
    }
    MarketingJob.build(env, s);
    env.execute("marketing-engine");
    return 0;
  }

  JobSettings settings() throws Exception {
    JobSettings s = new JobSettings();
    s.bootstrapServers = bootstrapServers;
    s.groupId = groupId;
    s.startingOffsets = startingOffsets;
    s.checkpointDir = checkpointDir;
    s.changelogDir = changelogDir;
    s.checkpointInterval = checkpointInterval;
    s.bufferTimeout = bufferTimeout;
    s.transactionalIdPrefix = transactionalIdPrefix;
    s.transactionTimeout = transactionTimeout;
    if (transactionTimeout.compareTo(checkpointInterval) <= 0) {
      throw new IllegalArgumentException(
          "--transaction-timeout must be longer than --checkpoint-interval");
    }
    kafka.applyTo(s);
    s.engine = engine.toConfig();
    s.elasticsearch = elasticsearch.toSettings();
    sidecar.applyTo(s);
    return s;
  }
}
