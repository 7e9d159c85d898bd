package io.shopflow.marketing.benchmarks;

import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.schema.UserSignalSerializer;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One behaviour signal (a view with its item's 32 factors and 10 co-purchase partners) written and
 * read back, as on the shuffle to the user operator: the hand-written serializer against Flink's
 * POJO serializer of the same class, the baseline of the same run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class UserSignalSerializerBench {
  private final TypeSerializer<UserSignal> pojo =
      TypeInformation.of(UserSignal.class).createSerializer(new SerializerConfigImpl());
  private final TypeSerializer<UserSignal> handWritten = UserSignalSerializer.INSTANCE;
  private final DataOutputSerializer out = new DataOutputSerializer(1024);
  private final DataInputDeserializer in = new DataInputDeserializer();
  private UserSignal view;

  @Setup
  public void setUp() {
    Random r = new Random(5);
    view = new UserSignal();
    view.kind = UserSignal.EVENT;
    view.userId = "u4711";
    view.eventTime = 1_764_064_800_000L;
    view.eventId = "e-81723";
    view.eventType = "view";
    view.itemId = "sku-2381";
    view.quantity = 1;
    view.price = 29.9;
    view.currency = "EUR";
    view.title = "Linen shirt, slim fit";
    view.category = "apparel/shirts";
    view.sessionHint = "s-12";
    view.itemFactor = new double[32];
    for (int i = 0; i < 32; i++) {
      view.itemFactor[i] = r.nextGaussian() * 0.1;
    }
    view.partners = new String[10];
    view.partnerCounts = new int[10];
    view.partnerBuyers = new long[10];
    for (int i = 0; i < 10; i++) {
      view.partners[i] = "sku-" + (100 + r.nextInt(9_000));
      view.partnerCounts[i] = 1 + r.nextInt(20);
      view.partnerBuyers[i] = 10 + r.nextInt(500);
    }
    view.itemBuyers = 312;
  }

  private UserSignal roundTrip(TypeSerializer<UserSignal> serializer) throws IOException {
    out.clear();
    serializer.serialize(view, out);
    in.setBuffer(out.getSharedBuffer(), 0, out.length());
    return serializer.deserialize(in);
  }

  @Benchmark
  public UserSignal pojoSerializer() throws IOException {
    return roundTrip(pojo);
  }

  @Benchmark
  public UserSignal handWrittenSerializer() throws IOException {
    return roundTrip(handWritten);
  }
}
