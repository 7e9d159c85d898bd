package io.shopflow.marketing.pipelines.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(180)
class EmbeddedKafkaBrokerTest {

  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedKafkaBroker.startInTempDir();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void readCommittedConsumerSeesOnlyCommittedTransactions() throws Exception {
    String topic = "tx-events";
    broker.createTopics(2, topic);

    try (KafkaProducer<String, String> producer = transactionalProducer("tx-test")) {
      producer.initTransactions();

      producer.beginTransaction();
      for (String value : List.of("committed-1", "committed-2", "committed-3")) {
        producer.send(new ProducerRecord<>(topic, value, value));
      }
      producer.commitTransaction();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "aborted-1", "aborted-1"));
      producer.flush();
      producer.abortTransaction();
    }

    List<String> seen = readAll(topic, "read_committed");
    assertThat(seen).containsExactlyInAnyOrder("committed-1", "committed-2", "committed-3");
    // The aborted record did reach the log: a read_uncommitted consumer sees it.
    assertThat(readAll(topic, "read_uncommitted")).contains("aborted-1");
  }

  @Test
  void createTopicsIsIdempotentAndUsesTheRequestedPartitionCount() throws Exception {
    broker.createTopics(2, "idempotent-a", "idempotent-b");
    broker.createTopics(2, "idempotent-a");

    try (Admin admin = Admin.create(adminProperties(broker.bootstrapServers()))) {
      Map<String, TopicDescription> topics =
          admin.describeTopics(List.of("idempotent-a", "idempotent-b")).allTopicNames().get();
      assertThat(topics.values())
          .allSatisfy(description -> assertThat(description.partitions()).hasSize(2));
    }
  }

  @Test
  void brokerListensOnlyOnLoopback() throws Exception {
    assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + broker.brokerPort());

    for (int port : new int[] {broker.brokerPort(), broker.controllerPort()}) {
      // The port is bound on 127.0.0.1 ...
      assertThat(canConnect("127.0.0.1", port)).as("port %d reachable on 127.0.0.1", port).isTrue();
      assertThatThrownBy(
              () -> {
                try (ServerSocket ignored =
                    new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                  // bound: the broker would not own the port
                }
              })
          .as("port %d already bound on 127.0.0.1", port)
          .isInstanceOf(IOException.class);
      // ... and not on any other interface.
      for (InetAddress address : nonLoopbackAddresses()) {
        assertThat(canConnect(address.getHostAddress(), port))
            .as("port %d reachable on %s", port, address)
            .isFalse();
      }
    }
  }

  @Test
  void restartingOnTheSameWorkDirKeepsTopicsAndClosingTwiceIsHarmless(@TempDir Path workDir)
      throws Exception {
    try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(workDir)) {
      assertThat(first.bootstrapServers()).isNotEqualTo(broker.bootstrapServers());
      first.createTopics(3, "survives-restart");
      first.close();
      first.close(); // and once more by try-with-resources
    }
    assertThat(workDir.resolve("logs")).isDirectory();

    try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.start(workDir);
        Admin admin = Admin.create(adminProperties(second.bootstrapServers()))) {
      TopicDescription topic =
          admin.describeTopics(List.of("survives-restart")).allTopicNames().get().values().stream()
              .findFirst()
              .orElseThrow();
      assertThat(topic.partitions()).hasSize(3);
    }
    assertThat(workDir).isDirectory();
  }

  @Test
  void startInTempDirDeletesTheDirectoryOnClose() throws Exception {
    EmbeddedKafkaBroker temp = EmbeddedKafkaBroker.startInTempDir();
    Path dir = temp.workDir();
    assertThat(dir).isDirectory();
    temp.close();
    assertThat(dir).doesNotExist();
  }

  private static KafkaProducer<String, String> transactionalProducer(String transactionalId) {
    Properties p = new Properties();
    p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.setProperty(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  /** Reads every record up to the end offsets visible at the given isolation level. */
  private static List<String> readAll(String topic, String isolationLevel) {
    Properties p = new Properties();
    p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
    p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!reachedEnd(consumer, end) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
      assertThat(reachedEnd(consumer, end)).as("consumer reached the end offsets").isTrue();
    }
    return values;
  }

  private static boolean reachedEnd(
      KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  private static Properties adminProperties(String bootstrapServers) {
    Properties p = new Properties();
    p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return p;
  }

  private static boolean canConnect(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Set<InetAddress> nonLoopbackAddresses() throws IOException {
    return java.net.NetworkInterface.networkInterfaces()
        .flatMap(java.net.NetworkInterface::inetAddresses)
        .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
        .collect(Collectors.toSet());
  }
}
