package io.shopflow.marketing.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopflow.marketing.schema.ItemFactorDelta;
import io.shopflow.marketing.udfs.EventParser;
import io.shopflow.marketing.udfs.InvalidRecordException;
import io.shopflow.marketing.udfs.OutputJson;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The feedback topic's JSON, one MF step (32 factors) per interaction, written and read back: the
 * job's streaming writer and parser against a tree built and walked (the writer's tree is the
 * former code, kept here as the baseline).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class FactorDeltaJsonBench {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  ItemFactorDelta step;
  byte[] bytes;

  @Setup
  public void setUp() {
    Random r = new Random(3);
    step = new ItemFactorDelta();
    step.itemId = "sku-2381";
    step.userId = "u4711";
    step.eventId = "e-81723";
    step.eventTime = 1_764_064_800_000L;
    step.delta = new double[32];
    for (int i = 0; i < step.delta.length; i++) {
      step.delta[i] = r.nextGaussian() * 1e-3;
    }
    bytes = OutputJson.factorDelta(step);
  }

  @Benchmark
  public byte[] write() {
    return OutputJson.factorDelta(step);
  }

  @Benchmark
  public byte[] writeTree() throws JsonProcessingException {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("item_id", step.itemId);
    n.put("user_id", step.userId);
    n.put("event_id", step.eventId);
    n.put("event_time", step.eventTime);
    ArrayNode a = n.putArray("delta");
    for (double f : step.delta) {
      a.add((float) f);
    }
    return MAPPER.writeValueAsBytes(n);
  }

  @Benchmark
  public ItemFactorDelta read() throws InvalidRecordException {
    return EventParser.parseFactorDelta(bytes);
  }

  @Benchmark
  public ItemFactorDelta readTree() throws InvalidRecordException {
    return EventParser.parseFactorDeltaTree(bytes);
  }
}
