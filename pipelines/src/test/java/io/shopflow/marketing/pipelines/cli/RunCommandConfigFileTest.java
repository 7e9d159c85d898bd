package io.shopflow.marketing.pipelines.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopflow.marketing.pipelines.JobSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunCommandConfigFileTest {
  @TempDir Path tmp;

  RunCommand parse(Map<String, String> env, String... args) {
    CommandLine cl = ConfigFile.install(new CommandLine(new MarketingJobCli()), args, env::get);
    CommandLine.ParseResult parsed = cl.parseArgs(args);
    return (RunCommand) parsed.subcommand().commandSpec().userObject();
  }

  Path file(String... lines) throws Exception {
    Path f = tmp.resolve("marketing.properties");
    Files.write(f, java.util.List.of(lines));
    return f;
  }

  @Test
  void fileValuesReplaceDefaultsAndCommandLineOptionsWin() throws Exception {
    Path f =
        file(
            "bootstrap-servers=kafka-0:9092,kafka-1:9092",
            "events-topic=prod.events",
            "checkpoint-interval=30s",
            "parallelism=8",
            "session-gap=45m",
            "savepoint-dir=s3://bucket/savepoints");
    RunCommand run = parse(Map.of(), "run", "--config", f.toString(), "--parallelism", "4");
    JobSettings s = run.settings();

    assertThat(s.bootstrapServers).isEqualTo("kafka-0:9092,kafka-1:9092");
    assertThat(s.eventsTopic).isEqualTo("prod.events");
    assertThat(s.checkpointInterval).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.parallelism).as("the command line wins over the file").isEqualTo(4);
    assertThat(s.engine.sessionGapMs).isEqualTo(Duration.ofMinutes(45).toMillis());
    assertThat(s.catalogTopic)
        .as("keys not in the file keep their defaults")
        .isEqualTo("shop.catalog");
    Configuration conf = new Configuration();
    run.cluster.applyTo(conf);
    assertThat(conf.get(CheckpointingOptions.SAVEPOINT_DIRECTORY))
        .isEqualTo("s3://bucket/savepoints");
    assertThat(conf.getOptional(StateRecoveryOptions.SAVEPOINT_PATH)).isEmpty();
  }

  @Test
  void environmentVariablesInValuesAreExpanded() throws Exception {
    Path f =
        file(
            "bootstrap-servers=${env:KAFKA_BOOTSTRAP}",
            "kafka-property=sasl.jaas.config=password=\"${env:KAFKA_PASSWORD}\"");
    RunCommand run =
        parse(
            Map.of("KAFKA_BOOTSTRAP", "kafka:9093", "KAFKA_PASSWORD", "s3cr$t"),
            "run",
            "--config=" + f);
    JobSettings s = run.settings();

    assertThat(s.bootstrapServers).isEqualTo("kafka:9093");
    assertThat(s.kafkaProperties.getProperty("sasl.jaas.config")).isEqualTo("password=\"s3cr$t\"");
  }

  @Test
  void aMissingEnvironmentVariableIsAnError() throws Exception {
    Path f = file("bootstrap-servers=${env:NOT_SET_ANYWHERE}");
    assertThatThrownBy(() -> parse(Map.of(), "run", "--config", f.toString()))
        .hasMessageContaining("NOT_SET_ANYWHERE");
  }

  @Test
  void aKeyThatIsNoOptionIsRefused() throws Exception {
    Path f = file("bootstrap-servers=kafka:9092", "chekpoint-interval=30s");
    assertThatThrownBy(() -> parse(Map.of(), "run", "--config", f.toString()))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("chekpoint-interval");
  }

  @Test
  void restoreOptionsSetTheRecoveryPath() throws Exception {
    RunCommand run =
        parse(
            Map.of(),
            "run",
            "--bootstrap-servers",
            "kafka:9092",
            "--from-savepoint",
            "file:///sp/savepoint-1",
            "--allow-non-restored-state");
    Configuration conf = new Configuration();
    run.cluster.applyTo(conf);

    assertThat(conf.get(StateRecoveryOptions.SAVEPOINT_PATH)).isEqualTo("file:///sp/savepoint-1");
    assertThat(conf.get(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE)).isTrue();
  }
}
