package io.shopflow.marketing.pipelines.cli;

import picocli.CommandLine;

/**
 * Main class of the cluster jar ({@code marketing-job-cluster.jar}): the same commands as {@link
 * MarketingJobCli}, but it never calls {@code System.exit}. A job submitted through Flink's REST
 * API runs its {@code main} inside the JobManager's JVM, where an exit would stop the JobManager; a
 * failure is thrown instead, so that Flink reports it to the submitter.
 */
public final class ClusterEntryPoint {
  private ClusterEntryPoint() {}

  public static void main(String[] args) throws Exception {
    CommandLine cl = ConfigFile.install(new CommandLine(new MarketingJobCli()), args);
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          throw e;
        });
    int code = cl.execute(args);
    if (code != 0) {
      throw new IllegalArgumentException(
          "marketing-job failed with exit code " + code + " (the reason is in the log above)");
    }
  }
}
