package io.shopflow.marketing.udfs.inference;

import java.util.Locale;
import java.util.Set;

/**
 * The job's fallback sentiment scorer, used when the inference sidecar is not configured, is down
 * (circuit open), refuses, or answers too slowly: counts words of two small lists (positive and
 * negative review vocabulary, tuned on nothing but common sense), flips a word's polarity after a
 * negation within the three previous words ("not good", "never fits"), and turns the balance into
 * the same 3-class shape as the sidecar's {@code sentiment} model: the net count of the winning
 * side against a neutral prior of weight 0.5. Far weaker than the model, but deterministic,
 * allocation-light and always available. Text without any listed word is neutral.
 */
public final class LexiconSentiment {
  static final Set<String> POSITIVE =
      Set.of(
          "love",
          "loved",
          "loves",
          "lovely",
          "great",
          "good",
          "excellent",
          "perfect",
          "perfectly",
          "beautiful",
          "gorgeous",
          "comfortable",
          "comfy",
          "nice",
          "happy",
          "amazing",
          "awesome",
          "flattering",
          "soft",
          "recommend",
          "recommended",
          "fantastic",
          "wonderful",
          "best",
          "cute",
          "pretty",
          "fits",
          "glad",
          "favorite",
          "favourite",
          "quality",
          "stunning",
          "elegant",
          "pleased",
          "compliments",
          "worth");

  static final Set<String> NEGATIVE =
      Set.of(
          "bad",
          "poor",
          "poorly",
          "terrible",
          "awful",
          "horrible",
          "disappointed",
          "disappointing",
          "disappointment",
          "returned",
          "returning",
          "return",
          "cheap",
          "broke",
          "broken",
          "ripped",
          "torn",
          "hole",
          "holes",
          "itchy",
          "scratchy",
          "ugly",
          "unflattering",
          "worst",
          "waste",
          "refund",
          "defective",
          "faded",
          "shrank",
          "shrunk",
          "tight",
          "baggy",
          "huge",
          "sheer",
          "wrong",
          "hate",
          "hated",
          "damaged",
          "late",
          "never",
          "uncomfortable",
          "flimsy",
          "boxy",
          "unfortunately",
          "sadly");

  static final Set<String> NEGATIONS =
      Set.of(
          "not", "no", "never", "don't", "dont", "didn't", "didnt", "isn't", "isnt", "wasn't",
          "wasnt", "doesn't", "doesnt", "hardly", "without");

  private LexiconSentiment() {}

  /** Scores one text; probabilities in the order negative, neutral, positive. */
  public static SentimentResult score(String text) {
    if (text == null || text.isBlank()) {
      return result(0, 0);
    }
    String[] words = text.toLowerCase(Locale.ROOT).split("[^a-z']+");
    int pos = 0;
    int neg = 0;
    int sinceNegation = Integer.MAX_VALUE;
    for (String w : words) {
      if (w.isEmpty()) {
        continue;
      }
      boolean negated = sinceNegation <= 3;
      if (POSITIVE.contains(w)) {
        if (negated) {
          neg++;
        } else {
          pos++;
        }
      } else if (NEGATIVE.contains(w) && !NEGATIONS.contains(w)) {
        if (negated) {
          pos++;
        } else {
          neg++;
        }
      }
      if (NEGATIONS.contains(w)) {
        // "never" is both: a complaint on its own ("never arrived"), a negation before a word.
        if (w.equals("never") && !negated) {
          neg++;
        }
        sinceNegation = 0;
      } else if (sinceNegation != Integer.MAX_VALUE) {
        sinceNegation++;
      }
    }
    return result(pos, neg);
  }

  private static SentimentResult result(int pos, int neg) {
    // The net count of the winning side against a neutral prior of weight 0.5: one net word is a
    // lean (2/3), three are conviction (6/7).
    int net = pos - neg;
    double pNeg = Math.max(0, -net);
    double pPos = Math.max(0, net);
    double sum = pNeg + pPos + NEUTRAL_PRIOR;
    float[] p = {(float) (pNeg / sum), (float) (NEUTRAL_PRIOR / sum), (float) (pPos / sum)};
    String label = p[0] > p[1] ? "negative" : p[2] > p[1] ? "positive" : "neutral";
    float binaryPositive = (float) (0.5 + 0.5 * net / (double) (pos + neg + 1));
    return new SentimentResult(label, p, binaryPositive);
  }

  private static final double NEUTRAL_PRIOR = 0.5;
}
