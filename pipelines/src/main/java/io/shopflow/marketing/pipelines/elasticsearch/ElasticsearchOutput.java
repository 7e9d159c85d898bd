package io.shopflow.marketing.pipelines.elasticsearch;

import io.shopflow.marketing.operators.UserJourneyFunction;
import io.shopflow.marketing.schema.Action;
import java.time.Duration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

/**
 * The Elasticsearch branch of the job: actions, profile snapshots, trigger metrics (and item
 * sentiment, when a stream of it is given) become {@link EsOperation}s and go to one {@link
 * ElasticsearchSink}, beside (not in front of) the Kafka sinks.
 */
public final class ElasticsearchOutput {
  private ElasticsearchOutput() {}

  /**
   * Adds the branch after the user operator.
   *
   * @param allowedLateness how long a trigger-metrics bucket accepts late outcomes (it is then
   *     written again, whole, under the same id)
   */
  public static void attach(
      SingleOutputStreamOperator<Action> actions,
      ElasticsearchSettings s,
      FailedDocuments failed,
      Duration allowedLateness) {
    Documents docs = new Documents(new Pseudonyms(s.pseudonymKey));
    DataStream<EsOperation> ops = operations(actions, docs, s, allowedLateness);
    sink(ops, s, failed);
  }

  /** The same, with item-sentiment aggregates ({@code mkt-item-sentiment}) in the same sink. */
  public static void attach(
      SingleOutputStreamOperator<Action> actions,
      DataStream<ItemSentiment> itemSentiment,
      ElasticsearchSettings s,
      FailedDocuments failed,
      Duration allowedLateness) {
    attach(actions, actions, itemSentiment, s, failed, allowedLateness);
  }

  /**
   * The same, where the actions sent ({@code sent}: after the recommendation-ranking operator) are
   * not the user operator's output ({@code actions}, whose side outputs give profiles and
   * suppressed actions).
   */
  public static void attach(
      DataStream<Action> sent,
      SingleOutputStreamOperator<Action> actions,
      DataStream<ItemSentiment> itemSentiment,
      ElasticsearchSettings s,
      FailedDocuments failed,
      Duration allowedLateness) {
    Documents docs = new Documents(new Pseudonyms(s.pseudonymKey));
    DataStream<EsOperation> ops =
        operations(sent, actions, docs, s, allowedLateness).union(itemSentiment(itemSentiment, s));
    sink(ops, s, failed);
  }

  static DataStream<EsOperation> operations(
      SingleOutputStreamOperator<Action> actions,
      Documents docs,
      ElasticsearchSettings s,
      Duration allowedLateness) {
    return operations(actions, actions, docs, s, allowedLateness);
  }

  static DataStream<EsOperation> operations(
      DataStream<Action> sent,
      SingleOutputStreamOperator<Action> actions,
      Documents docs,
      ElasticsearchSettings s,
      Duration allowedLateness) {
    DataStream<EsOperation> actionDocs =
        sent.map(docs::action)
            .returns(EsOperation.class)
            .uid("es-action-documents")
            .name("Elasticsearch: action documents");
    DataStream<EsOperation> profileDocs =
        actions
            .getSideOutput(UserJourneyFunction.PROFILES)
            .map(docs::profile)
            .returns(EsOperation.class)
            .uid("es-profile-documents")
            .name("Elasticsearch: profile documents (pseudonymised)");
    DataStream<TriggerOutcome> outcomes =
        sent.map(TriggerOutcome::sent)
            .returns(TriggerOutcome.class)
            .uid("es-sent-outcomes")
            .name("Trigger outcomes: sent")
            .union(
                actions
                    .getSideOutput(UserJourneyFunction.SUPPRESSED)
                    .map(TriggerOutcome::suppressed)
                    .returns(TriggerOutcome.class)
                    .uid("es-suppressed-outcomes")
                    .name("Trigger outcomes: suppressed"));
    DataStream<EsOperation> metricDocs =
        outcomes
            .keyBy(o -> o.actionType)
            .window(TumblingEventTimeWindows.of(s.metricsBucket))
            .allowedLateness(allowedLateness)
            .aggregate(new TriggerMetricsAggregate(), new TriggerMetricsAggregate.Bucket())
            .uid("es-trigger-metrics")
            .name("Trigger metrics per type and bucket (event time)")
            .map(docs::triggerMetrics)
            .returns(EsOperation.class)
            .uid("es-trigger-metrics-documents")
            .name("Elasticsearch: trigger-metrics documents");
    return actionDocs.union(profileDocs, metricDocs);
  }

  /** Item sentiment aggregates to their documents (one per item). */
  public static DataStream<EsOperation> itemSentiment(
      DataStream<ItemSentiment> aggregates, ElasticsearchSettings s) {
    Documents docs = new Documents(new Pseudonyms(s.pseudonymKey));
    return aggregates
        .map(docs::itemSentiment)
        .returns(EsOperation.class)
        .uid("es-item-sentiment-documents")
        .name("Elasticsearch: item-sentiment documents");
  }

  /** The sink itself (uid {@code elasticsearch-sink}). */
  public static void sink(DataStream<EsOperation> ops, ElasticsearchSettings s, FailedDocuments f) {
    ops.sinkTo(new ElasticsearchSink(s, f))
        .uid("elasticsearch-sink")
        .name(
            "Elasticsearch: mkt-actions-*, mkt-profiles, mkt-trigger-metrics, mkt-item-sentiment");
  }
}
