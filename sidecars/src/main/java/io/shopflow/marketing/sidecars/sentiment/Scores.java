package io.shopflow.marketing.sidecars.sentiment;

import java.util.Arrays;

/** Classification figures: accuracy, macro-F1 and ROC-AUC. */
public final class Scores {
  private Scores() {}

  public static int argmax(float[] p) {
    int best = 0;
    for (int k = 1; k < p.length; k++) {
      if (p[k] > p[best]) {
        best = k;
      }
    }
    return best;
  }

  public static double accuracy(int[] y, int[] pred) {
    int ok = 0;
    for (int i = 0; i < y.length; i++) {
      ok += y[i] == pred[i] ? 1 : 0;
    }
    return y.length == 0 ? 0 : ok / (double) y.length;
  }

  /** Unweighted mean of the per-class F1 over the classes {@code 0..classes-1}. */
  public static double macroF1(int[] y, int[] pred, int classes) {
    double sum = 0;
    for (int c = 0; c < classes; c++) {
      int tp = 0;
      int fp = 0;
      int fn = 0;
      for (int i = 0; i < y.length; i++) {
        if (pred[i] == c && y[i] == c) {
          tp++;
        } else if (pred[i] == c) {
          fp++;
        } else if (y[i] == c) {
          fn++;
        }
      }
      sum += tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }
    return sum / classes;
  }

  /** ROC-AUC of scores for the positive class (label 1), ties counted half (Mann-Whitney). */
  public static double rocAuc(int[] y, float[] score) {
    int n = y.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(score[a], score[b]));
    double rankSumPos = 0;
    long pos = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && score[order[j + 1]] == score[order[i]]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (y[order[k]] == 1) {
          rankSumPos += rank;
          pos++;
        }
      }
      i = j + 1;
    }
    long neg = n - pos;
    if (pos == 0 || neg == 0) {
      return 0.5;
    }
    return (rankSumPos - pos * (pos + 1) / 2.0) / (pos * (double) neg);
  }
}
