package io.shopflow.marketing.operators;

import io.shopflow.marketing.schema.state.ChannelCounter;
import io.shopflow.marketing.schema.state.SentLog;
import io.shopflow.marketing.udfs.EngineConfig;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * Earlier builds kept the guardrails' sends in two maps: the frequency cap's counter per channel
 * ({@code sent-per-channel}) and the send time per de-duplication key ({@code recently-sent}); now
 * they share one {@link SentLog} value. After a restore from such a snapshot the user operator
 * moves every user's entries into it, once, before it processes a record, and clears the maps
 * (their names stay reserved). A snapshot in the current layout has no keys under the old names:
 * nothing is registered.
 */
final class LegacySentLog {
  private LegacySentLog() {}

  static final String PER_CHANNEL = "sent-per-channel";
  static final String RECENTLY_SENT = "recently-sent";

  /** Moves every user's old entries into {@code target}. Returns the number of users moved. */
  static long migrate(
      RuntimeContext ctx,
      KeyedStateBackend<Object> backend,
      KeyContext keys,
      EngineConfig cfg,
      ValueState<SentLog> target)
      throws Exception {
    if (!LegacyUserScalars.anyHasKeys(backend, PER_CHANNEL, RECENTLY_SENT)) {
      return 0;
    }
    // Registered as those builds did: TTL on, 2 days and the de-duplication window.
    MapStateDescriptor<String, ChannelCounter> perChannelDescriptor =
        new MapStateDescriptor<>(
            PER_CHANNEL, Types.STRING, TypeInformation.of(ChannelCounter.class));
    perChannelDescriptor.enableTimeToLive(ItemCatalogFunction.ttl(Duration.ofDays(2).toMillis()));
    MapStateDescriptor<String, Long> recentDescriptor =
        new MapStateDescriptor<>(RECENTLY_SENT, Types.STRING, Types.LONG);
    recentDescriptor.enableTimeToLive(ItemCatalogFunction.ttl(cfg.dedupWindowMs));
    MapState<String, ChannelCounter> perChannel = ctx.getMapState(perChannelDescriptor);
    MapState<String, Long> recent = ctx.getMapState(recentDescriptor);
    return LegacyUserScalars.moveEveryKey(
        backend,
        keys,
        target,
        SentLog::new,
        log -> {
          for (Map.Entry<String, ChannelCounter> e : perChannel.entries()) {
            log.setCount(e.getKey(), e.getValue().day, e.getValue().count);
          }
          for (Map.Entry<String, Long> e : recent.entries()) {
            log.setSent(e.getKey(), e.getValue());
          }
          perChannel.clear();
          recent.clear();
        },
        PER_CHANNEL,
        RECENTLY_SENT);
  }
}
