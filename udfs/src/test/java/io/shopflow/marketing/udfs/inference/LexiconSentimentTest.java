package io.shopflow.marketing.udfs.inference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LexiconSentimentTest {
  @Test
  void aComplaintIsNegativeWithAHighNegativeProbability() {
    SentimentResult r =
        LexiconSentiment.score(
            "Poor quality, the seams ripped after one wash. Very disappointed, returning it.");

    assertThat(r.label()).isEqualTo("negative");
    assertThat(r.probabilities()[0]).isGreaterThanOrEqualTo(0.7f);
    assertThat(r.positive()).isLessThan(0.5f);
  }

  @Test
  void praiseIsPositive() {
    SentimentResult r = LexiconSentiment.score("Love this dress! Beautiful, comfortable and fits");

    assertThat(r.label()).isEqualTo("positive");
    assertThat(r.probabilities()[2]).isGreaterThan(r.probabilities()[0]);
    assertThat(r.positive()).isGreaterThan(0.5f);
  }

  @Test
  void aNegationFlipsTheWordsAfterIt() {
    assertThat(LexiconSentiment.score("This was not good at all").label()).isEqualTo("negative");
    assertThat(LexiconSentiment.score("Not bad, really").label()).isEqualTo("positive");
  }

  @Test
  void textWithoutListedWordsOrNoTextIsNeutral() {
    assertThat(LexiconSentiment.score("I wore it to the office on Tuesday").label())
        .isEqualTo("neutral");
    assertThat(LexiconSentiment.score("").label()).isEqualTo("neutral");
    assertThat(LexiconSentiment.score(null).label()).isEqualTo("neutral");
  }

  @Test
  void probabilitiesAreADistributionInTheSidecarsClassOrder() {
    SentimentResult r = LexiconSentiment.score("great but cheap fabric");
    float sum = 0;
    for (float p : r.probabilities()) {
      assertThat(p).isBetween(0f, 1f);
      sum += p;
    }
    assertThat(r.probabilities()).hasSize(3);
    assertThat(sum).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-4f));
  }
}
