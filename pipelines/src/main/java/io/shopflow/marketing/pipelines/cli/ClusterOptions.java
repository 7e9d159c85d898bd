package io.shopflow.marketing.pipelines.cli;

import java.nio.file.Path;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import picocli.CommandLine.Option;

/**
 * Options of {@code run} for a cluster: the configuration file, savepoints and restore. Submitted
 * through Flink's REST API or {@code flink run -s}, the restore path can also come from the
 * submission itself; {@code --from-savepoint} sets the same thing from the command line.
 */
public class ClusterOptions {
  @Option(
      names = ConfigFile.NAME,
      paramLabel = "FILE",
      description =
          "A .properties file of option values: keys are option names without the dashes"
              + " (bootstrap-servers=kafka-0:9092); options given on the command line override"
              + " it; $${env:NAME} in a value reads an environment variable.")
  Path config;

  @Option(
      names = "--savepoint-dir",
      paramLabel = "URI",
      description =
          "Default target of savepoints (stop-with-savepoint, upgrades), e.g."
              + " s3://bucket/marketing/savepoints. Default: the cluster's setting.")
  String savepointDir;

  @Option(
      names = "--from-savepoint",
      paramLabel = "PATH",
      description =
          "Restore the job's state from this savepoint or retained checkpoint (.../chk-N) at"
              + " start.")
  String fromSavepoint;

  @Option(
      names = "--allow-non-restored-state",
      description =
          "With --from-savepoint: start even if some state of the savepoint maps to no operator"
              + " (after removing an operator).")
  boolean allowNonRestoredState;

  /** Adds these settings to the job's Flink configuration. */
  public void applyTo(Configuration conf) {
    if (savepointDir != null && !savepointDir.isBlank()) {
      conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, savepointDir);
    }
    if (fromSavepoint != null && !fromSavepoint.isBlank()) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, fromSavepoint);
      conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, allowNonRestoredState);
    }
  }
}
