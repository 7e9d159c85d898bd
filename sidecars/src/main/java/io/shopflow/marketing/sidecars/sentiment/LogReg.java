package io.shopflow.marketing.sidecars.sentiment;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Multinomial logistic regression over sparse rows, the baseline of {@code evaluate-sentiment}:
 * minimises {@code C * sum of cross-entropies + ||W||^2 / 2} (scikit-learn's convention; the bias
 * is not penalised) with L-BFGS. Plain Java, deterministic.
 */
public final class LogReg {
  private final int dim;
  private final int classes;
  private final double[] w; // [dim * classes] then [classes] bias

  private LogReg(int dim, int classes, double[] w) {
    this.dim = dim;
    this.classes = classes;
    this.w = w;
  }

  /** Trains on {@code x} with labels {@code y} in [0, classes). */
  public static LogReg train(TfIdf.Row[] x, int[] y, int dim, int classes, double c, int maxIter) {
    return train(x, y, dim, classes, c, maxIter, null);
  }

  /** As above, starting from {@code start}'s weights (a warm start) when not null. */
  public static LogReg train(
      TfIdf.Row[] x, int[] y, int dim, int classes, double c, int maxIter, LogReg start) {
    int n = dim * classes + classes;
    double[] w = start == null ? new double[n] : start.w.clone();
    double[] g = new double[n];
    double f = objective(x, y, dim, classes, c, w, g);
    int m = 10;
    Deque<double[]> ss = new ArrayDeque<>();
    Deque<double[]> ys = new ArrayDeque<>();
    double[] gNew = new double[n];
    double[] wNew = new double[n];
    for (int it = 0; it < maxIter; it++) {
      // Two-loop recursion: d = -H g.
      double[] d = g.clone();
      double[] alpha = new double[ss.size()];
      Object[] sArr = ss.toArray();
      Object[] yArr = ys.toArray();
      for (int k = sArr.length - 1; k >= 0; k--) {
        double[] s = (double[]) sArr[k];
        double[] yy = (double[]) yArr[k];
        alpha[k] = dot(s, d) / dot(yy, s);
        axpy(-alpha[k], yy, d);
      }
      if (sArr.length > 0) {
        double[] s = (double[]) sArr[sArr.length - 1];
        double[] yy = (double[]) yArr[yArr.length - 1];
        scale(d, dot(s, yy) / dot(yy, yy));
      }
      for (int k = 0; k < sArr.length; k++) {
        double[] s = (double[]) sArr[k];
        double[] yy = (double[]) yArr[k];
        double beta = dot(yy, d) / dot(yy, s);
        axpy(alpha[k] - beta, s, d);
      }
      scale(d, -1);
      double slope = dot(g, d);
      if (slope >= 0) {
        d = g.clone();
        scale(d, -1);
        slope = dot(g, d);
        ss.clear();
        ys.clear();
      }
      double step = it == 0 ? 1 / Math.max(1e-12, Math.sqrt(dot(g, g))) : 1;
      double fNew;
      int tries = 0;
      while (true) {
        for (int i = 0; i < n; i++) {
          wNew[i] = w[i] + step * d[i];
        }
        fNew = objective(x, y, dim, classes, c, wNew, gNew);
        if (fNew <= f + 1e-4 * step * slope || ++tries > 30) {
          break;
        }
        step *= 0.5;
      }
      double[] s = new double[n];
      double[] yy = new double[n];
      for (int i = 0; i < n; i++) {
        s[i] = wNew[i] - w[i];
        yy[i] = gNew[i] - g[i];
      }
      if (dot(s, yy) > 1e-10) {
        ss.addLast(s);
        ys.addLast(yy);
        if (ss.size() > m) {
          ss.removeFirst();
          ys.removeFirst();
        }
      }
      double rel = Math.abs(f - fNew) / Math.max(1, Math.abs(f));
      System.arraycopy(wNew, 0, w, 0, n);
      System.arraycopy(gNew, 0, g, 0, n);
      f = fNew;
      if (rel < 1e-6) {
        break;
      }
    }
    return new LogReg(dim, classes, w);
  }

  private static double objective(
      TfIdf.Row[] x, int[] y, int dim, int classes, double c, double[] w, double[] g) {
    java.util.Arrays.fill(g, 0);
    double loss = 0;
    int bias = dim * classes;
    double[] z = new double[classes];
    for (int i = 0; i < x.length; i++) {
      logits(x[i], w, dim, classes, z);
      double max = Double.NEGATIVE_INFINITY;
      for (double v : z) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (int k = 0; k < classes; k++) {
        z[k] = Math.exp(z[k] - max);
        sum += z[k];
      }
      loss -= Math.log(z[y[i]] / sum);
      for (int k = 0; k < classes; k++) {
        double err = c * (z[k] / sum - (k == y[i] ? 1 : 0));
        int[] idx = x[i].idx();
        float[] val = x[i].val();
        for (int j = 0; j < idx.length; j++) {
          g[idx[j] * classes + k] += err * val[j];
        }
        g[bias + k] += err;
      }
    }
    double reg = 0;
    for (int i = 0; i < bias; i++) {
      reg += w[i] * w[i];
      g[i] += w[i];
    }
    return c * loss + reg / 2;
  }

  private static void logits(TfIdf.Row r, double[] w, int dim, int classes, double[] z) {
    int bias = dim * classes;
    for (int k = 0; k < classes; k++) {
      z[k] = w[bias + k];
    }
    int[] idx = r.idx();
    float[] val = r.val();
    for (int j = 0; j < idx.length; j++) {
      int base = idx[j] * classes;
      for (int k = 0; k < classes; k++) {
        z[k] += w[base + k] * val[j];
      }
    }
  }

  /** The logits (pre-softmax scores) of one row. */
  public float[] logits(TfIdf.Row r) {
    double[] z = new double[classes];
    logits(r, w, dim, classes, z);
    float[] out = new float[classes];
    for (int k = 0; k < classes; k++) {
      out[k] = (float) z[k];
    }
    return out;
  }

  /** Weights as [dim * classes] (row-major, column j's classes together). */
  public float[] weights() {
    float[] out = new float[dim * classes];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) w[i];
    }
    return out;
  }

  public float[] bias() {
    float[] out = new float[classes];
    for (int k = 0; k < classes; k++) {
      out[k] = (float) w[dim * classes + k];
    }
    return out;
  }

  /** Class probabilities of one row. */
  public float[] predict(TfIdf.Row r) {
    double[] z = new double[classes];
    logits(r, w, dim, classes, z);
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (int k = 0; k < classes; k++) {
      z[k] = Math.exp(z[k] - max);
      sum += z[k];
    }
    float[] p = new float[classes];
    for (int k = 0; k < classes; k++) {
      p[k] = (float) (z[k] / sum);
    }
    return p;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static void axpy(double a, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      y[i] += a * x[i];
    }
  }

  private static void scale(double[] x, double a) {
    for (int i = 0; i < x.length; i++) {
      x[i] *= a;
    }
  }
}
