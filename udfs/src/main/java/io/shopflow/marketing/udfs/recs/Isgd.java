package io.shopflow.marketing.udfs.recs;

/**
 * Incremental SGD for implicit-feedback matrix factorisation (Vinagre et al. 2014): every
 * interaction is a positive with target 1; one SGD step moves the user and item factors towards
 * each other. Initial factors are derived from the id's hash, so that every operator instance and
 * every replay starts an id at the same point without shared random state.
 */
public final class Isgd {
  private Isgd() {}

  public static float[] init(String id, int k, float scale) {
    float[] f = new float[k];
    long s = id.hashCode() * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
    for (int i = 0; i < k; i++) {
      s ^= s << 13;
      s ^= s >>> 7;
      s ^= s << 17;
      // uniform in [-scale, scale)
      f[i] = ((s >>> 40) / (float) (1L << 24) * 2f - 1f) * scale;
    }
    return f;
  }

  public static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /**
   * One step on (user, item) with the given weight; updates both in place and returns the error
   * before the step.
   */
  public static float update(float[] user, float[] item, float weight, RecParams p) {
    float err = 1f - dot(user, item);
    float eta = p.learningRate * weight;
    for (int i = 0; i < user.length; i++) {
      float u = user[i];
      float v = item[i];
      user[i] = u + eta * (err * v - p.regularisation * u);
      item[i] = v + eta * (err * u - p.regularisation * v);
    }
    return err;
  }
}
