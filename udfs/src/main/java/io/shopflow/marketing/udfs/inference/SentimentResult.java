package io.shopflow.marketing.udfs.inference;

/**
 * The sidecar's {@code sentiment} answer for one text: the 3-class label ({@code negative}, {@code
 * neutral}, {@code positive}), its probabilities in that order, and the binary model's probability
 * that the text is positive.
 */
public record SentimentResult(String label, float[] probabilities, float positive) {}
