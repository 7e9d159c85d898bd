package io.shopflow.marketing.pipelines.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code marketing-job.jar}. */
@Command(
    name = "marketing-job",
    mixinStandardHelpOptions = true,
    version = "marketing-job 0.1.0",
    description = "Real-time e-commerce marketing automation on Apache Flink.",
    subcommands = {
      DemoCommand.class,
      RunCommand.class,
      EvaluateRecsCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public class MarketingJobCli implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    int code = ConfigFile.install(new CommandLine(new MarketingJobCli()), args).execute(args);
    System.exit(code);
  }
}
