package dev.infobus.bench.streams;

import infobus.common.v1.EventOuterClass.Event;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The Kafka Streams peer of infobus-judgment for infobus-bench's judgment-vs-streams phase: the
 * same work on the same topics, written the way a Kafka Streams application would do it.
 *
 * <ul>
 *   <li>reads {@code <prefix>infobus.events.v1} (serialized {@code infobus.common.v1.Event}, as
 *       collection produces them) with event time = {@code occurred_at};
 *   <li>compares every subject with a GlobalKTable of {@code <prefix>infobus.watchlists.v1} (the
 *       topic judgment reads, keyed {@code "<subject key>\n<list id>"}; RocksDB): one judgment per
 *       (subject, matching entry), as judgment's watchlist rule;
 *   <li>counts one hotspot rule per (group key, tumbling window) through a repartition topic keyed
 *       {@code "<rule id>\x1f<group key>"}, in a RocksDB window store with a changelog; fires once
 *       per window when the count reaches the threshold, as judgment's hotspot rule;
 *   <li>produces the judgments ({@code infobus.common.v1.Judgment}, keyed by jurisdiction code) to
 *       {@code <prefix>streams-bench.judgments.v1}.
 * </ul>
 *
 * One stream thread, at-least-once, commits every second (judgment commits to Kafka at most once a
 * second), otherwise Kafka Streams' defaults. Runs until SIGTERM.
 */
public final class StreamsBench {
  static final String WATCHLIST_STORE = "watchlist";
  static final String HOTSPOT_STORE = "hotspot-windows";
  static final String SIGHTINGS = "hotspot-sightings";  // -> <app id>-hotspot-sightings-repartition

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = parseFlags(args);
    String bootstrap = required(flags, "bootstrap");
    String prefix = flags.getOrDefault("prefix", "");
    String applicationId = required(flags, "application-id");
    String output = prefix + "streams-bench.judgments.v1";
    int partitions = Integer.parseInt(flags.getOrDefault("partitions", "3"));
    HotspotRule hotspot =
        new HotspotRule(
            flags.getOrDefault("hotspot-rule-id", "bench-hotspot"),
            Integer.parseInt(flags.getOrDefault("hotspot-rule-version", "1")),
            List.of(flags.getOrDefault("hotspot-kinds", "lodging.checkin,netcafe.login").split(",")),
            Integer.parseInt(flags.getOrDefault("hotspot-jurisdiction-digits", "4")),
            Duration.ofMinutes(Long.parseLong(flags.getOrDefault("hotspot-window-minutes", "60"))),
            Duration.ofMinutes(Long.parseLong(flags.getOrDefault("hotspot-grace-minutes", "15"))),
            Integer.parseInt(flags.getOrDefault("hotspot-threshold", "20")),
            Integer.parseInt(flags.getOrDefault("max-evidence", "20")));

    Properties common = new Properties();
    common.put("bootstrap.servers", bootstrap);
    if (flags.containsKey("ssl-ca")) {
      common.put("security.protocol", "SSL");
      common.put("ssl.truststore.type", "PEM");
      common.put("ssl.truststore.location", flags.get("ssl-ca"));
      common.put("ssl.keystore.type", "PEM");
      common.put("ssl.keystore.location", required(flags, "ssl-keystore"));
    }
    try (Admin admin = Admin.create(common)) {
      try {
        admin.createTopics(List.of(new NewTopic(output, partitions, (short) 1))).all().get();
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) throw e;
      }
    }

    Properties props = new Properties();
    props.putAll(common);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.STATE_DIR_CONFIG, required(flags, "state-dir"));
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
    props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");

    Topology topology = topology(prefix, output, partitions, hotspot);
    KafkaStreams streams = new KafkaStreams(topology, props);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  streams.close(Duration.ofSeconds(30));
                  stopped.countDown();
                }));
    streams.setUncaughtExceptionHandler(
        e -> {
          System.err.println("[streams-bench] stream thread failed: " + e);
          e.printStackTrace();
          return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler
              .StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    System.err.println("[streams-bench] " + applicationId + ": " + topology.describe());
    streams.start();
    stopped.await();
  }

  static Topology topology(String prefix, String output, int partitions, HotspotRule hotspot) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.globalTable(
        prefix + "infobus.watchlists.v1",
        Consumed.with(Serdes.String(), Serdes.ByteArray()),
        Materialized.<String, byte[], KeyValueStore<Bytes, byte[]>>as(WATCHLIST_STORE));
    builder.addStateStore(
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore(
                HOTSPOT_STORE, hotspot.window.plus(hotspot.grace), hotspot.window, false),
            Serdes.String(),
            Serdes.ByteArray())
        // As the DSL's own stores (a StoreBuilder's default is uncached): writes reach RocksDB
        // and the changelog once per key per commit, as judgment writes a dirty window once per
        // batch.
        .withCachingEnabled());

    KStream<String, Event> events =
        builder.stream(
                prefix + "infobus.events.v1", Consumed.with(Serdes.String(), Serdes.ByteArray()))
            .process(EventDecoder::new);
    events
        .process(WatchlistMatcher::new)
        .to(output, Produced.with(Serdes.String(), Serdes.ByteArray()));
    events
        .filter((key, event) -> hotspot.kinds.contains(event.getKind()))
        .map(
            (key, event) ->
                KeyValue.pair(
                    hotspot.id + "\u001f" + hotspot.groupKey(event),
                    Judgments.evidenceOf(event).toByteArray()))
        .repartition(
            Repartitioned.with(Serdes.String(), Serdes.ByteArray())
                .withName(SIGHTINGS)
                .withNumberOfPartitions(partitions))
        .process(() -> new HotspotCounter(hotspot), HOTSPOT_STORE)
        .to(output, Produced.with(Serdes.String(), Serdes.ByteArray()));
    return builder.build();
  }

  static Map<String, String> parseFlags(String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i < args.length; ++i) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
      }
      flags.put(args[i].substring(2), args[++i]);
    }
    return flags;
  }

  static String required(Map<String, String> flags, String name) {
    String value = flags.get(name);
    if (value == null) throw new IllegalArgumentException("--" + name + " is required");
    return value;
  }
}
