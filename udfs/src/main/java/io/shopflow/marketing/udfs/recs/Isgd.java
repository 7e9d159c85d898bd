package io.shopflow.marketing.udfs.recs;

import org.apache.flink.ml.linalg.BLAS;
import org.apache.flink.ml.linalg.DenseVector;

/**
 * Incremental SGD for implicit-feedback matrix factorisation (Vinagre et al. 2014): every
 * interaction is a positive with target 1; one SGD step moves the user and item factors towards
 * each other. Initial factors are derived from the id's hash, so that every operator instance and
 * every replay starts an id at the same point without shared random state.
 */
public final class Isgd {
  private Isgd() {}

  public static double[] init(String id, int k, double scale) {
    double[] f = new double[k];
    long s = id.hashCode() * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
    for (int i = 0; i < k; i++) {
      s ^= s << 13;
      s ^= s >>> 7;
      s ^= s << 17;
      // uniform in [-scale, scale)
      f[i] = ((s >>> 40) / (double) (1L << 24) * 2 - 1) * scale;
    }
    return f;
  }

  public static double dot(double[] a, double[] b) {
    return BLAS.dot(new DenseVector(a), new DenseVector(b));
  }

  /**
   * One step on (user, item) with the given weight; updates both in place and returns the error
   * before the step: {@code u += eta*w*(err*v - lambda*u)}, {@code v += eta*w*(err*u - lambda*v)}.
   */
  public static double update(double[] user, double[] item, double weight, RecParams p) {
    DenseVector u = new DenseVector(user);
    DenseVector v = new DenseVector(item);
    double err = 1 - BLAS.dot(u, v);
    double eta = p.learningRate * weight;
    DenseVector uOld = new DenseVector(user.clone());
    BLAS.scal(1 - eta * p.regularisation, u);
    BLAS.axpy(eta * err, v, u);
    BLAS.scal(1 - eta * p.regularisation, v);
    BLAS.axpy(eta * err, uOld, v);
    return err;
  }

  /**
   * The same step as {@link #update} with the same arithmetic, without copying a factor: the user's
   * factor is updated in place, the item's is left as it is and its change is written to {@code
   * itemDelta}. The job's user operator sends that change back to the item's operator.
   */
  public static double step(
      double[] user, double[] item, double weight, RecParams p, double[] itemDelta) {
    double err = 1 - dot(user, item);
    double eta = p.learningRate * weight;
    double keep = 1 - eta * p.regularisation;
    double toward = eta * err;
    for (int i = 0; i < user.length; i++) {
      double u = user[i];
      double v = item[i];
      // As Flink ML's BLAS (netlib's Java 11 kernels): scal, then axpy as one fused multiply-add.
      user[i] = Math.fma(toward, v, u * keep);
      itemDelta[i] = Math.fma(toward, u, v * keep) - v;
    }
    return err;
  }
}
