package io.shopflow.marketing.benchmarks;

import io.shopflow.marketing.schema.ShopEvent;
import io.shopflow.marketing.udfs.EventParser;
import io.shopflow.marketing.udfs.InvalidRecordException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Parsing one behaviour event as the job does ({@link EventParser#parseShopEvent}, streaming) and
 * by the tree parser it falls back to, on records shaped as {@code bench}'s generator writes them.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class EventParserBench {
  @Param({"view", "purchase", "iso-time"})
  public String record;

  byte[] bytes;

  @Setup
  public void setUp() {
    String json =
        switch (record) {
          case "view" ->
              "{\"event_id\":\"e-81723\",\"event_type\":\"view\",\"user_id\":\"u4711\","
                  + "\"event_time\":1764064800000,\"items\":[{\"item_id\":\"sku-2381\"}]}";
          case "purchase" ->
              "{\"event_id\":\"e-81724\",\"event_type\":\"purchase\",\"user_id\":\"u4711\","
                  + "\"event_time\":1764064800000,\"order_id\":\"o-81724\",\"currency\":\"EUR\","
                  + "\"items\":[{\"item_id\":\"sku-2381\",\"quantity\":2,\"price\":12.5},"
                  + "{\"item_id\":\"sku-17\",\"quantity\":1,\"price\":3.99},"
                  + "{\"item_id\":\"sku-904\",\"quantity\":1,\"price\":49.0}]}";
          case "iso-time" ->
              "{\"event_id\":\"e-81725\",\"event_type\":\"view\",\"user_id\":\"u4711\","
                  + "\"event_time\":\"2026-11-25T10:00:00.250+01:00\","
                  + "\"items\":[{\"item_id\":\"sku-2381\"}]}";
          default -> throw new IllegalArgumentException(record);
        };
    bytes = json.getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  public ShopEvent streaming() throws InvalidRecordException {
    return EventParser.parseShopEvent(bytes);
  }

  @Benchmark
  public ShopEvent tree() throws InvalidRecordException {
    return EventParser.parseShopEventTree(bytes);
  }
}
