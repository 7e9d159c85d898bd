package io.shopflow.marketing.sidecars;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Process-wide DJL settings, applied before any engine loads: offline (no network address is ever
 * asked for), one intra-op and one inter-op thread, and a cache folder for the unpacked native
 * libraries. Every value that is already set (system property or environment variable) wins.
 */
public final class Djl {
  private Djl() {}

  /** Sets the defaults; call first thing in {@code main} and in tests. */
  public static void configure() {
    if (System.getenv("DJL_OFFLINE") == null) {
      setIfAbsent("ai.djl.offline", "true");
    }
    setIfAbsent("ai.djl.pytorch.num_threads", env("SIDECAR_NUM_THREADS", "1")); // intra-op threads
    setIfAbsent("ai.djl.pytorch.num_interop_threads", env("SIDECAR_NUM_INTEROP_THREADS", "1"));
    setIfAbsent("ai.djl.onnxruntime.num_threads", env("SIDECAR_NUM_THREADS", "1"));
    setIfAbsent("ai.djl.onnxruntime.num_interop_threads", "1");
    if (System.getenv("DJL_CACHE_DIR") == null) {
      setIfAbsent(
          "DJL_CACHE_DIR",
          Path.of(System.getProperty("user.home"), ".djl.ai").toAbsolutePath().toString());
    }
    // Keep the engine from probing for CUDA drivers on CPU-only hosts unless asked.
    setIfAbsent("ai.djl.default_engine", "PyTorch");
  }

  /** System property (or {@code SIDECAR_DEVICE}) naming the device: auto, cpu, gpu or gpu:N. */
  public static final String DEVICE_PROPERTY = "sidecar.device";

  /**
   * The device the sidecar's networks and their inputs live on. {@code auto} (the default) is
   * PyTorch's own choice: the first GPU when the loaded libtorch is a CUDA build and sees one, else
   * the CPU. Asking for a GPU that the loaded libtorch cannot see fails here, at start-up, with
   * what to change, instead of at the first request.
   */
  public static Device device() {
    String choice =
        System.getProperty(DEVICE_PROPERTY, env("SIDECAR_DEVICE", "auto"))
            .trim()
            .toLowerCase(Locale.ROOT);
    Resolved known = resolved;
    if (known != null && known.choice().equals(choice)) {
      return known.device(); // every model load asks; probe the GPUs and self-check once
    }
    Engine engine = Engine.getEngine("PyTorch");
    Device device =
        parseDevice(choice, engine.getGpuCount(), engine.defaultDevice(), engine.getVersion());
    selfCheck(engine, device);
    resolved = new Resolved(choice, device);
    return device;
  }

  /** The last device choice and the device it resolved to (after its self-check passed). */
  private record Resolved(String choice, Device device) {}

  private static volatile Resolved resolved;

  /**
   * Adds one to two numbers on {@code device} and reads them back. DJL's JNI is compiled against
   * one libtorch release; pointed (PYTORCH_LIBRARY_PATH) at another, it may load and even find the
   * GPU, then fail or compute garbage at the first tensor: on an H100 with libtorch 2.11 the first
   * array creation failed. This turns that into a start-up error that says what to fix.
   */
  static void selfCheck(Engine engine, Device device) {
    String problem;
    Throwable cause = null;
    try (NDManager m = engine.newBaseManager(device)) {
      float[] back = m.create(new float[] {1f, 2f}).add(1f).toFloatArray();
      problem = back[0] == 2f && back[1] == 3f ? null : "1+1, 2+1 gave " + Arrays.toString(back);
    } catch (RuntimeException | LinkageError e) { // a libtorch without a symbol the JNI calls
      problem = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      cause = e;
    }
    if (problem != null) {
      throw new IllegalStateException(
          "PyTorch failed its self-check on "
              + device
              + " ("
              + problem
              + "). DJL "
              + Engine.getDjlVersion()
              + " runs libtorch "
              + engine.getVersion()
              + " only: PYTORCH_LIBRARY_PATH ("
              + System.getenv("PYTORCH_LIBRARY_PATH")
              + ") must hold exactly that release (cpu or cu128 build)",
          cause);
    }
  }

  static Device parseDevice(String choice, int gpus, Device auto, String torchVersion) {
    if (choice.equals("auto")) {
      return auto;
    }
    if (choice.equals("cpu")) {
      return Device.cpu();
    }
    int id;
    if (choice.equals("gpu")) {
      id = 0;
    } else if (choice.matches("gpu:\\d+")) {
      id = Integer.parseInt(choice.substring(4));
    } else {
      throw new IllegalArgumentException(
          "Unknown device '" + choice + "': use auto, cpu, gpu or gpu:N");
    }
    if (id >= gpus) {
      throw new IllegalStateException(
          "Device "
              + choice
              + " asked for, but PyTorch "
              + torchVersion
              + " sees "
              + gpus
              + " GPU(s): point PYTORCH_LIBRARY_PATH at a CUDA build of libtorch and set"
              + " PYTORCH_VERSION and PYTORCH_FLAVOR (docs/operations.md), or use --device cpu");
    }
    return Device.gpu(id);
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
