package io.shopflow.marketing.sidecars.cli;

import io.shopflow.marketing.sidecars.Djl;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code java -jar sidecars/target/inference-sidecar.jar <command>}. */
@Command(
    name = "inference-sidecar",
    mixinStandardHelpOptions = true,
    description = {
      "The inference sidecar: serves the `ranker` and `sentiment` models over the Open Inference"
          + " Protocol v2 REST API (DJL, PyTorch engine), and trains and evaluates them."
    },
    subcommands = {
      ServeCommand.class,
      TrainSentimentCommand.class,
      EvaluateSentimentCommand.class,
      TrainRankerCommand.class,
      EvaluateRankerCommand.class,
      BenchRankerCommand.class
    })
public class SidecarCli implements Runnable {
  static final String JAR = "java -jar sidecars/target/inference-sidecar.jar";

  @CommandLine.Spec CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SidecarCli()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Options every command shares. */
  static class Common {
    @Option(
        names = "--models",
        paramLabel = "DIR",
        defaultValue = "sidecars/target/models",
        description = "Model folder (one sub-folder per model). Default: ${DEFAULT-VALUE}.")
    Path models;

    @Option(
        names = "--threads",
        paramLabel = "N",
        description =
            "Intra-op threads of PyTorch and ONNX Runtime (default 1, or SIDECAR_NUM_THREADS).")
    Integer threads;

    @Option(
        names = "--device",
        paramLabel = "DEVICE",
        description =
            "Where the networks run: auto (a GPU when the loaded libtorch is a CUDA build and sees"
                + " one, else the CPU), cpu, gpu or gpu:N. Default: auto, or SIDECAR_DEVICE.")
    String device;

    /** Applies the thread setting and the DJL defaults; call before anything touches DJL. */
    void configure() {
      if (threads != null) {
        System.setProperty("ai.djl.pytorch.num_threads", threads.toString());
        System.setProperty("ai.djl.onnxruntime.num_threads", threads.toString());
      }
      if (device != null) {
        System.setProperty(Djl.DEVICE_PROPERTY, device);
      }
      Djl.configure();
    }
  }

  /** The command line as typed, for the generated documents. */
  static String commandLine(CommandSpec spec) {
    StringBuilder sb = new StringBuilder(JAR);
    CommandLine root = spec.root().commandLine();
    List<String> args =
        root.getParseResult() == null ? List.of(spec.name()) : root.getParseResult().originalArgs();
    for (String a : args) {
      sb.append(' ').append(a);
    }
    return sb.toString();
  }
}
