package io.shopflow.marketing.sidecars.oip;

import java.util.Arrays;

/**
 * One Open Inference Protocol v2 tensor: name, datatype ({@code FP32} or {@code BYTES} here), shape
 * and row-major data ({@code fp32} for FP32, {@code bytes} for BYTES; the other is null).
 */
public record Tensor(String name, String datatype, long[] shape, float[] fp32, String[] bytes) {
  public static final String FP32 = "FP32";
  public static final String BYTES = "BYTES";

  public static Tensor fp32(String name, long[] shape, float[] data) {
    return new Tensor(name, FP32, shape, data, null);
  }

  public static Tensor bytes(String name, long[] shape, String[] data) {
    return new Tensor(name, BYTES, shape, null, data);
  }

  /** Number of elements the shape says. */
  public long elements() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  @Override
  public String toString() {
    return name + ":" + datatype + Arrays.toString(shape);
  }
}
