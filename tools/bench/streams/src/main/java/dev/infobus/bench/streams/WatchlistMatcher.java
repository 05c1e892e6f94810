package dev.infobus.bench.streams;

import com.google.protobuf.InvalidProtocolBufferException;
import infobus.common.v1.EventOuterClass.Event;
import infobus.common.v1.EventOuterClass.Subject;
import infobus.common.v1.JudgmentOuterClass.Judgment;
import infobus.common.v1.JudgmentOuterClass.JudgmentKind;
import infobus.common.v1.JudgmentOuterClass.Severity;
import infobus.judgment.v1.JudgmentServiceOuterClass.WatchlistEntry;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * judgment's watchlist rule (deploy/config/rules.yaml's watchlist-hit) against the GlobalKTable of
 * the watchlist topic: for every subject of an event, a prefix scan of {@code "<subject key>\n"}
 * (every list's entry for the subject, as judgment's store keeps them) and one judgment per entry
 * found, severity the higher of the list's floor and the entry's own. Output: the judgment,
 * keyed by its jurisdiction code.
 */
final class WatchlistMatcher implements Processor<String, Event, String, byte[]> {
  static final String RULE_ID = "watchlist-hit";
  static final int RULE_VERSION = 1;
  static final Severity RULE_SEVERITY = Severity.SEVERITY_MEDIUM;
  static final Map<String, Severity> LIST_FLOORS =
      Map.of(
          "wanted_person", Severity.SEVERITY_CRITICAL,
          "stolen_vehicle", Severity.SEVERITY_HIGH,
          "person_of_interest", Severity.SEVERITY_MEDIUM);

  private final StringSerializer keys = new StringSerializer();
  private ProcessorContext<String, byte[]> context;
  private TimestampedKeyValueStore<String, byte[]> watchlist;

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.watchlist = context.getStateStore(StreamsBench.WATCHLIST_STORE);
  }

  @Override
  public void process(Record<String, Event> record) {
    Event event = record.value();
    for (Subject subject : event.getSubjectsList()) {
      try (KeyValueIterator<String, ValueAndTimestamp<byte[]>> entries =
          watchlist.prefixScan(Judgments.subjectKey(subject) + "\n", keys)) {
        while (entries.hasNext()) {
          KeyValue<String, ValueAndTimestamp<byte[]>> found = entries.next();
          WatchlistEntry entry;
          try {
            entry = WatchlistEntry.parseFrom(found.value.value());
          } catch (InvalidProtocolBufferException e) {
            continue;  // judgment's table dead-letters it and never stores it
          }
          Judgment judgment = judge(event, subject, entry);
          context.forward(
              new Record<>(
                  judgment.getJurisdictionCode(), judgment.toByteArray(), record.timestamp()));
        }
      }
    }
  }

  private static Judgment judge(Event event, Subject subject, WatchlistEntry entry) {
    Severity severity = LIST_FLOORS.get(entry.getListId());
    if (entry.getSeverity() != Severity.SEVERITY_UNSPECIFIED
        && (severity == null || entry.getSeverityValue() > severity.getNumber())) {
      severity = entry.getSeverity();
    }
    if (severity == null) severity = RULE_SEVERITY;
    String jurisdiction = Judgments.jurisdictionOf(event);
    return Judgment.newBuilder()
        .setJudgmentId(
            Judgments.stableId(
                RULE_ID,
                entry.getListId(),
                Judgments.subjectKey(subject),
                event.getSourceId(),
                event.getEventId()))
        .setRuleId(RULE_ID)
        .setRuleVersion(RULE_VERSION)
        .setKind(JudgmentKind.JUDGMENT_KIND_WATCHLIST_HIT)
        .setSeverity(severity)
        .setTitle("Watchlist hit: " + Judgments.subjectKey(subject) + " on " + entry.getListId())
        .setSummary(entry.getNote())
        .addSubjects(subject)
        .setJurisdictionCode(jurisdiction)
        .addEvidence10(Judgments.evidenceOf(event))
        .setCreatedAt(Judgments.now())
        .setClassification(event.getClassification())
        .setWindowStart(event.getOccurredAt())
        .setWindowEnd(event.getOccurredAt())
        .addAllCompartments(event.getCompartmentsList())
        .build();
  }
}
