package io.shopflow.marketing.sidecars;

import java.nio.file.Path;

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
