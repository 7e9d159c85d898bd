package io.shopflow.marketing.schema;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * {@link UserSignal} on the wire between the keyed-by-item and the keyed-by-user operator: every
 * field in declaration order, read and written directly. Flink's POJO serializer reaches each of
 * the 32 fields through reflection with a null flag per field; this was about 5 % of the core's CPU
 * (docs/benchmarks.md). Only for network edges ({@link UserSignalTypeInfo}): the state that holds a
 * {@code UserSignal} (pending reviews) keeps the POJO serializer, so savepoints are unchanged.
 * {@code UserSignalSerializerTest} fails when a field is added to {@code UserSignal} but not here.
 */
public final class UserSignalSerializer extends TypeSerializerSingleton<UserSignal> {
  private static final long serialVersionUID = 1L;

  public static final UserSignalSerializer INSTANCE = new UserSignalSerializer();

  private static final String[] NO_STRINGS = new String[0];
  private static final int[] NO_INTS = new int[0];
  private static final long[] NO_LONGS = new long[0];

  // Written before the fields: which nullable non-string fields are null.
  private static final int PRICE_NULL = 1;
  private static final int ITEM_FACTOR_NULL = 1 << 1;

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public UserSignal createInstance() {
    return new UserSignal();
  }

  @Override
  public UserSignal copy(UserSignal from) {
    UserSignal to = new UserSignal();
    to.kind = from.kind;
    to.userId = from.userId;
    to.eventTime = from.eventTime;
    to.eventId = from.eventId;
    to.eventType = from.eventType;
    to.itemId = from.itemId;
    to.quantity = from.quantity;
    to.price = from.price;
    to.currency = from.currency;
    to.title = from.title;
    to.category = from.category;
    to.sessionHint = from.sessionHint;
    to.query = from.query;
    to.lineIndex = from.lineIndex;
    to.lineCount = from.lineCount;
    to.coPurchased = from.coPurchased == null ? null : from.coPurchased.clone();
    to.coPurchasedCounts = from.coPurchasedCounts == null ? null : from.coPurchasedCounts.clone();
    to.itemFactor = from.itemFactor == null ? null : from.itemFactor.clone();
    to.partners = from.partners == null ? null : from.partners.clone();
    to.partnerCounts = from.partnerCounts == null ? null : from.partnerCounts.clone();
    to.partnerBuyers = from.partnerBuyers == null ? null : from.partnerBuyers.clone();
    to.itemBuyers = from.itemBuyers;
    to.oldPrice = from.oldPrice;
    to.newPrice = from.newPrice;
    to.consentChange = from.consentChange;
    to.channels = from.channels == null ? null : from.channels.clone();
    to.rating = from.rating;
    to.reviewText = from.reviewText;
    to.sentimentLabel = from.sentimentLabel;
    to.negativeProbability = from.negativeProbability;
    to.sentimentScore = from.sentimentScore;
    to.sentimentSource = from.sentimentSource;
    return to;
  }

  @Override
  public UserSignal copy(UserSignal from, UserSignal reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(UserSignal s, DataOutputView out) throws IOException {
    out.writeByte(
        (s.price == null ? PRICE_NULL : 0) | (s.itemFactor == null ? ITEM_FACTOR_NULL : 0));
    out.writeInt(s.kind);
    StringValue.writeString(s.userId, out);
    out.writeLong(s.eventTime);
    StringValue.writeString(s.eventId, out);
    StringValue.writeString(s.eventType, out);
    StringValue.writeString(s.itemId, out);
    out.writeInt(s.quantity);
    if (s.price != null) {
      out.writeDouble(s.price);
    }
    StringValue.writeString(s.currency, out);
    StringValue.writeString(s.title, out);
    StringValue.writeString(s.category, out);
    StringValue.writeString(s.sessionHint, out);
    StringValue.writeString(s.query, out);
    out.writeInt(s.lineIndex);
    out.writeInt(s.lineCount);
    writeStrings(s.coPurchased, out);
    writeInts(s.coPurchasedCounts, out);
    if (s.itemFactor != null) {
      out.writeInt(s.itemFactor.length);
      for (double d : s.itemFactor) {
        out.writeDouble(d);
      }
    }
    writeStrings(s.partners, out);
    writeInts(s.partnerCounts, out);
    writeLongs(s.partnerBuyers, out);
    out.writeLong(s.itemBuyers);
    out.writeDouble(s.oldPrice);
    out.writeDouble(s.newPrice);
    StringValue.writeString(s.consentChange, out);
    writeStrings(s.channels, out);
    out.writeInt(s.rating);
    StringValue.writeString(s.reviewText, out);
    StringValue.writeString(s.sentimentLabel, out);
    out.writeDouble(s.negativeProbability);
    out.writeDouble(s.sentimentScore);
    StringValue.writeString(s.sentimentSource, out);
  }

  @Override
  public UserSignal deserialize(DataInputView in) throws IOException {
    return deserialize(new UserSignal(), in);
  }

  @Override
  public UserSignal deserialize(UserSignal s, DataInputView in) throws IOException {
    int nulls = in.readByte();
    s.kind = in.readInt();
    s.userId = StringValue.readString(in);
    s.eventTime = in.readLong();
    s.eventId = StringValue.readString(in);
    s.eventType = StringValue.readString(in);
    s.itemId = StringValue.readString(in);
    s.quantity = in.readInt();
    s.price = (nulls & PRICE_NULL) != 0 ? null : in.readDouble();
    s.currency = StringValue.readString(in);
    s.title = StringValue.readString(in);
    s.category = StringValue.readString(in);
    s.sessionHint = StringValue.readString(in);
    s.query = StringValue.readString(in);
    s.lineIndex = in.readInt();
    s.lineCount = in.readInt();
    s.coPurchased = readStrings(in);
    s.coPurchasedCounts = readInts(in);
    if ((nulls & ITEM_FACTOR_NULL) != 0) {
      s.itemFactor = null;
    } else {
      double[] f = new double[in.readInt()];
      for (int i = 0; i < f.length; i++) {
        f[i] = in.readDouble();
      }
      s.itemFactor = f;
    }
    s.partners = readStrings(in);
    s.partnerCounts = readInts(in);
    s.partnerBuyers = readLongs(in);
    s.itemBuyers = in.readLong();
    s.oldPrice = in.readDouble();
    s.newPrice = in.readDouble();
    s.consentChange = StringValue.readString(in);
    s.channels = readStrings(in);
    s.rating = in.readInt();
    s.reviewText = StringValue.readString(in);
    s.sentimentLabel = StringValue.readString(in);
    s.negativeProbability = in.readDouble();
    s.sentimentScore = in.readDouble();
    s.sentimentSource = StringValue.readString(in);
    return s;
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  // Arrays: the length, -1 for null. Empty arrays read back as one shared instance (a zero-length
  // array cannot be changed), as the POJO's own defaults are empty, not null.

  private static void writeStrings(String[] a, DataOutputView out) throws IOException {
    out.writeInt(a == null ? -1 : a.length);
    if (a != null) {
      for (String s : a) {
        StringValue.writeString(s, out);
      }
    }
  }

  private static String[] readStrings(DataInputView in) throws IOException {
    int n = in.readInt();
    if (n <= 0) {
      return n < 0 ? null : NO_STRINGS;
    }
    String[] a = new String[n];
    for (int i = 0; i < n; i++) {
      a[i] = StringValue.readString(in);
    }
    return a;
  }

  private static void writeInts(int[] a, DataOutputView out) throws IOException {
    out.writeInt(a == null ? -1 : a.length);
    if (a != null) {
      for (int v : a) {
        out.writeInt(v);
      }
    }
  }

  private static int[] readInts(DataInputView in) throws IOException {
    int n = in.readInt();
    if (n <= 0) {
      return n < 0 ? null : NO_INTS;
    }
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = in.readInt();
    }
    return a;
  }

  private static void writeLongs(long[] a, DataOutputView out) throws IOException {
    out.writeInt(a == null ? -1 : a.length);
    if (a != null) {
      for (long v : a) {
        out.writeLong(v);
      }
    }
  }

  private static long[] readLongs(DataInputView in) throws IOException {
    int n = in.readInt();
    if (n <= 0) {
      return n < 0 ? null : NO_LONGS;
    }
    long[] a = new long[n];
    for (int i = 0; i < n; i++) {
      a[i] = in.readLong();
    }
    return a;
  }

  @Override
  public TypeSerializerSnapshot<UserSignal> snapshotConfiguration() {
    return new Snapshot();
  }

  /** For Flink's serializer checks; the format lives only on network edges. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<UserSignal> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
