package io.shopflow.marketing.pipelines.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.shopflow.marketing.pipelines.eval.RecsEvaluation.ProtocolResult;
import io.shopflow.marketing.udfs.recs.Purchases.Purchase;
import io.shopflow.marketing.udfs.recs.Recommender;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Both protocols on small in-memory sequences with hand-computed figures. */
class RecsEvaluationProtocolTest {
  private static final double LOG2_3 = Math.log(3) / Math.log(2);

  /** Recommends every item seen so far, in order of first sight; records how it was called. */
  static final class SeenSoFar implements Recommender {
    final Set<String> seen = new LinkedHashSet<>();
    final Map<String, Set<String>> owned = new HashMap<>();
    int observed;
    int excludingCalls;

    @Override
    public void observe(String user, String item, String eventType, String basketId, long time) {
      seen.add(item);
      owned.computeIfAbsent(user, u -> new HashSet<>()).add(item);
      observed++;
    }

    @Override
    public List<String> recommend(String user, int k, boolean excludeOwned, long now) {
      List<String> out = new ArrayList<>();
      for (String item : seen) {
        if (!(excludeOwned && owned.getOrDefault(user, Set.of()).contains(item))) {
          out.add(item);
        }
      }
      if (excludeOwned) {
        excludingCalls++;
      }
      return out.subList(0, Math.min(k, out.size()));
    }

    @Override
    public String name() {
      return "seen";
    }
  }

  private static Purchase p(String user, String item, long time) {
    return new Purchase(user, item, "b" + time, time);
  }

  @Test
  void prequentialAsksBeforeItLearns() {
    List<Purchase> events =
        List.of(
            p("u1", "a", 1), // miss: nothing seen yet
            p("u1", "b", 2), // miss: b unseen
            p("u2", "a", 3), // hit, novel for u2 (excluding u2's items: still a hit)
            p("u2", "c", 4), // miss
            p("u1", "a", 5), // hit, a repeat (not novel)
            p("u1", "c", 6)); // hit; novel, but c is not owned by u1: hit with exclusion too
    List<SeenSoFar> made = new ArrayList<>();
    ProtocolResult r =
        RecsEvaluation.prequential(
            events,
            List.of(
                () -> {
                  SeenSoFar s = new SeenSoFar();
                  made.add(s);
                  return s;
                }));

    Map<String, Double> m = r.models().get(0).metrics();
    assertThat(m.get("hr20_all")).isCloseTo(3 / 6.0, within(1e-12));
    assertThat(m.get("hr20_last50")).isCloseTo(2 / 3.0, within(1e-12)); // events 4, 5, 6
    assertThat(m.get("hr20_excl_novel")).isCloseTo(2 / 5.0, within(1e-12));
    assertThat(r.counts()).containsEntry("events", 6L).containsEntry("novel_events", 5L);
    assertThat(made.get(0).observed).isEqualTo(6);
    assertThat(made.get(0).excludingCalls).isEqualTo(5); // one per novel event
  }

  @Test
  void prequentialHitsOfPopularityByHand() {
    List<Purchase> events =
        List.of(p("u1", "a", 1), p("u2", "a", 2), p("u2", "b", 3), p("u3", "a", 4));
    ProtocolResult r = RecsEvaluation.prequential(events, List.of(Baselines::popularity));
    // hits: event 2 (a popular), event 4 (a popular); event 3: b unseen
    assertThat(r.models().get(0).metrics().get("hr20_all")).isCloseTo(0.5, within(1e-12));
    assertThat(r.models().get(0).metrics().get("hr20_last50")).isCloseTo(0.5, within(1e-12));
    // novel: all 4 events; with exclusion u2 at event 3 gets [] (a is owned): hits 2, 4
    assertThat(r.models().get(0).metrics().get("hr20_excl_novel")).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void temporalTrainsBeforeTheSplitOnlyAndRanksEachTestUserOnce() {
    List<Purchase> events =
        List.of(
            p("u1", "a", 1),
            p("u2", "a", 2),
            p("u2", "b", 3),
            // split at 10
            p("u1", "a", 10), // u1: relevant {a, c}, novel {c}
            p("u1", "c", 11),
            p("u3", "b", 12), // u3: cold, relevant {b}, novel {b}
            p("u3", "b", 13));
    List<SeenSoFar> made = new ArrayList<>();
    ProtocolResult r =
        RecsEvaluation.temporal(
            events,
            10,
            List.of(
                Baselines::popularity,
                () -> {
                  SeenSoFar s = new SeenSoFar();
                  made.add(s);
                  return s;
                }));

    // popularity after training: [a, b]. u1 -> a at rank 1 of {a, c}; u3 -> b at rank 2 of {b}
    Map<String, Double> pop = r.models().get(0).metrics();
    double ndcgU1 = 1 / (1 + 1 / LOG2_3);
    double ndcgU3 = 1 / LOG2_3;
    assertThat(pop.get("recall20_all")).isCloseTo((0.5 + 1) / 2, within(1e-12));
    assertThat(pop.get("ndcg20_all")).isCloseTo((ndcgU1 + ndcgU3) / 2, within(1e-12));
    // novel: u1 gets [b] against {c}: 0; u3 gets [a, b] against {b}
    assertThat(pop.get("recall20_novel")).isCloseTo(0.5, within(1e-12));
    assertThat(pop.get("ndcg20_novel")).isCloseTo(ndcgU3 / 2, within(1e-12));

    assertThat(made.get(0).observed).isEqualTo(3); // nothing learnt from the test period
    assertThat(made.get(0).excludingCalls).isEqualTo(2);
    assertThat(r.counts())
        .containsEntry("train_events", 3L)
        .containsEntry("test_users", 2L)
        .containsEntry("test_users_cold", 1L)
        .containsEntry("test_users_with_novel", 2L);
  }

  @Test
  void temporalSkipsUsersWithoutNovelItemsForTheNovelMetrics() {
    List<Purchase> events =
        List.of(p("u1", "a", 1), p("u2", "b", 2), p("u1", "a", 10), p("u2", "c", 11));
    ProtocolResult r = RecsEvaluation.temporal(events, 10, List.of(Baselines::repeatPopularity));
    Map<String, Double> m = r.models().get(0).metrics();
    // u1 re-buys a: repeat ranks it first. u2: [b, a] against {c}: 0.
    assertThat(m.get("recall20_all")).isCloseTo(0.5, within(1e-12));
    // only u2 counts for novel: [a] (b owned) against {c}
    assertThat(m.get("recall20_novel")).isZero();
    assertThat(r.counts()).containsEntry("test_users_with_novel", 1L);
  }
}
