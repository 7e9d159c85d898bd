package io.shopflow.marketing.pipelines.cli;

import io.shopflow.marketing.udfs.EngineConfig;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Set;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** Trigger and guardrail thresholds, shared by {@code run} and {@code demo}. */
public class EngineOptions {
  private static final EngineConfig DEFAULTS = new EngineConfig();

  @Option(
      names = "--session-gap",
      converter = DurationConverter.class,
      defaultValue = "30m",
      description = "Inactivity gap that closes a session (event time). Default: ${DEFAULT-VALUE}.")
  Duration sessionGap;

  @Option(
      names = "--cart-abandon-after",
      converter = DurationConverter.class,
      defaultValue = "30m",
      description =
          "Cart abandonment fires when the cart still holds items this long after the last cart"
              + " add with no purchase. Default: ${DEFAULT-VALUE}.")
  Duration cartAbandonAfter;

  @Option(
      names = "--browse-views",
      defaultValue = "3",
      description =
          "Browse abandonment: views of one item in one session, never carted. Default:"
              + " ${DEFAULT-VALUE}.")
  int browseViews;

  @Option(
      names = "--win-back-after",
      converter = DurationConverter.class,
      defaultValue = "60d",
      description = "Win-back: time without a purchase. Default: ${DEFAULT-VALUE}.")
  Duration winBackAfter;

  @Option(
      names = "--win-back-min-orders",
      defaultValue = "2",
      description = "Win-back: orders that make an active buyer. Default: ${DEFAULT-VALUE}.")
  int winBackMinOrders;

  @Option(
      names = "--cross-sell-delay",
      converter = DurationConverter.class,
      defaultValue = "1h",
      description = "Cross-sell goes out this long after a purchase. Default: ${DEFAULT-VALUE}.")
  Duration crossSellDelay;

  @Option(
      names = "--co-purchase-min-count",
      defaultValue = "2",
      description =
          "Cross-sell suggests items bought together at least this often. Default:"
              + " ${DEFAULT-VALUE}.")
  int coPurchaseMinCount;

  @Option(
      names = "--price-drop-min",
      defaultValue = "0.10",
      description =
          "Price drop: relative drop that triggers (0.10 = 10%%). Default: ${DEFAULT-VALUE}.")
  double priceDropMin;

  @Option(
      names = "--interest-window",
      converter = DurationConverter.class,
      defaultValue = "30d",
      description =
          "Price drop: how long a cart add or wishlist counts as interest. Default:"
              + " ${DEFAULT-VALUE}.")
  Duration interestWindow;

  @Option(
      names = "--frequency-cap",
      defaultValue = "3",
      description = "Actions per user per channel per day. Default: ${DEFAULT-VALUE}.")
  int frequencyCap;

  @Option(
      names = "--quiet-hours",
      defaultValue = "21-8",
      description =
          "Quiet hours START-END (local hours in --zone); actions due inside are deferred to"
              + " END. 0-0 disables. Default: ${DEFAULT-VALUE}.")
  String quietHours;

  @Option(
      names = "--quiet-hours-channels",
      split = ",",
      defaultValue = "push,sms",
      description = "Channels that respect quiet hours. Default: ${DEFAULT-VALUE}.")
  Set<String> quietHoursChannels;

  @Option(
      names = "--zone",
      defaultValue = "UTC",
      description =
          "Time zone of quiet hours and of the frequency cap's day. Default: ${DEFAULT-VALUE}.")
  String zone;

  @Option(
      names = "--dedup-window",
      converter = DurationConverter.class,
      defaultValue = "7d",
      description =
          "An identical action (type and items) is not repeated within this. Default:"
              + " ${DEFAULT-VALUE}.")
  Duration dedupWindow;

  @Option(
      names = "--consent-default",
      defaultValue = "allow",
      description = "Users with no consent record: allow or deny. Default: ${DEFAULT-VALUE}.")
  String consentDefault;

  @Option(
      names = "--allowed-lateness",
      converter = DurationConverter.class,
      defaultValue = "1h",
      description =
          "Records further than this behind the watermark go to the DLQ as late. Default:"
              + " ${DEFAULT-VALUE}.")
  Duration allowedLateness;

  @Option(
      names = "--profile-ttl",
      converter = DurationConverter.class,
      defaultValue = "400d",
      description =
          "State of users inactive this long is dropped (processing-time TTL). Default:"
              + " ${DEFAULT-VALUE}.")
  Duration profileTtl;

  @Option(
      names = "--state-cache-keys",
      defaultValue = "50000",
      description =
          "Users (and items) per subtask whose state is kept on the heap in front of RocksDB and"
              + " written back before each checkpoint; 0 = every access goes to RocksDB. Default:"
              + " ${DEFAULT-VALUE}.")
  int stateCacheKeys;

  @Option(
      names = "--state-cache-dirty-keys",
      defaultValue = "5000",
      description =
          "Of the cached keys, at most this many with changes not yet written to RocksDB; beyond"
              + " it the oldest change is written back at once (bounds the pause a checkpoint"
              + " causes). Default: ${DEFAULT-VALUE}.")
  int stateCacheDirtyKeys;

  @Option(
      names = "--state-cache-dirty-age",
      converter = DurationConverter.class,
      defaultValue = "300ms",
      description =
          "A cached change older than this is written to RocksDB while records are processed, so"
              + " a checkpoint only writes the last moments' changes. Default: ${DEFAULT-VALUE}.")
  Duration stateCacheDirtyAge;

  @Option(
      names = "--rocksdb-pre-flush-lead",
      converter = DurationConverter.class,
      defaultValue = "500ms",
      description =
          "On RocksDB, flush the keyed operators' memtables in the background this long before each"
              + " checkpoint is due, to shorten the checkpoint's pause; 0ms turns it off. Default:"
              + " ${DEFAULT-VALUE}.")
  Duration rocksDbPreFlushLead;

  @Option(
      names = "--state-cache-drain-age",
      converter = DurationConverter.class,
      defaultValue = "20ms",
      description =
          "From 100 ms before the pre-flush until the checkpoint, a cached change older than this"
              + " is written to RocksDB while records are processed, so the checkpoint's pause has"
              + " little left to write; at or above --state-cache-dirty-age it changes nothing."
              + " Default: ${DEFAULT-VALUE}.")
  Duration stateCacheDrainAge;

  public EngineConfig toConfig() {
    EngineConfig c = new EngineConfig();
    c.sessionGapMs = sessionGap.toMillis();
    c.cartAbandonAfterMs = cartAbandonAfter.toMillis();
    c.browseViewThreshold = browseViews;
    c.winBackAfterMs = winBackAfter.toMillis();
    c.winBackMinOrders = winBackMinOrders;
    c.crossSellDelayMs = crossSellDelay.toMillis();
    c.coPurchaseMinCount = coPurchaseMinCount;
    c.priceDropMinFraction = priceDropMin;
    c.interestWindowMs = interestWindow.toMillis();
    c.frequencyCapPerChannelPerDay = frequencyCap;
    String[] q = quietHours.split("-");
    if (q.length != 2) {
      throw new TypeConversionException("--quiet-hours must be START-END, e.g. 21-8");
    }
    c.quietStartHour = Integer.parseInt(q[0].trim());
    c.quietEndHour = Integer.parseInt(q[1].trim());
    c.quietHoursChannels = Set.copyOf(quietHoursChannels);
    ZoneId.of(zone); // fail early on a bad zone
    c.zone = zone;
    c.dedupWindowMs = dedupWindow.toMillis();
    if (!consentDefault.equals("allow") && !consentDefault.equals("deny")) {
      throw new TypeConversionException("--consent-default must be allow or deny");
    }
    c.consentDefaultAllowed = consentDefault.equals("allow");
    c.allowedLatenessMs = allowedLateness.toMillis();
    c.profileTtlMs = profileTtl.toMillis();
    if (stateCacheKeys < 0) {
      throw new TypeConversionException("--state-cache-keys must be 0 or more");
    }
    c.stateCacheKeys = stateCacheKeys;
    if (stateCacheDirtyKeys < 1) {
      throw new TypeConversionException("--state-cache-dirty-keys must be at least 1");
    }
    c.stateCacheDirtyKeys = stateCacheDirtyKeys;
    c.stateCacheDirtyAgeMs = stateCacheDirtyAge.toMillis();
    c.rocksDbPreFlushLeadMs = rocksDbPreFlushLead.toMillis();
    c.stateCacheDrainAgeMs = stateCacheDrainAge.toMillis();
    c.maxItemAffinities = DEFAULTS.maxItemAffinities;
    return c;
  }
}
