package dev.infobus.bench.streams;

import com.google.protobuf.InvalidProtocolBufferException;
import infobus.common.v1.JudgmentOuterClass.Evidence;
import infobus.common.v1.JudgmentOuterClass.Judgment;
import infobus.common.v1.JudgmentOuterClass.JudgmentKind;
import infobus.common.v1.JudgmentOuterClass.Severity;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Counts the repartitioned sightings of one hotspot rule per (group key, tumbling window) in a
 * RocksDB window store (cached, with a changelog: Kafka Streams' defaults), as judgment's
 * HotspotRules::Count does: a sighting whose window closed (window end + grace at or before the
 * task's stream time) is dropped; until the window fires, an event already counted is not counted
 * again and the first max_evidence events are kept; when the count reaches the threshold the
 * window fires once (a judgment with that evidence) and from then on only counts.
 *
 * <p>The stored value is a Judgment message used as the window's record: evidence and
 * evidence_count, judgment_id set once fired.
 */
final class HotspotCounter implements Processor<String, byte[], String, byte[]> {
  private final HotspotRule rule;
  private final long windowMs;
  private final long graceMs;
  private ProcessorContext<String, byte[]> context;
  private WindowStore<String, byte[]> windows;
  private long lateDropped;

  HotspotCounter(HotspotRule rule) {
    this.rule = rule;
    this.windowMs = rule.window.toMillis();
    this.graceMs = rule.grace.toMillis();
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.windows = context.getStateStore(StreamsBench.HOTSPOT_STORE);
  }

  @Override
  public void process(Record<String, byte[]> sighting) {
    long time = sighting.timestamp();
    long start = Math.floorDiv(time, windowMs) * windowMs;
    if (start + windowMs + graceMs <= context.currentStreamTimeMs()) {
      ++lateDropped;
      return;
    }
    Evidence evidence;
    Judgment.Builder window;
    try {
      evidence = Evidence.parseFrom(sighting.value());
      byte[] stored = windows.fetch(sighting.key(), start);
      window = stored == null ? Judgment.newBuilder() : Judgment.parseFrom(stored).toBuilder();
    } catch (InvalidProtocolBufferException e) {
      return;
    }
    boolean fired = !window.getJudgmentId().isEmpty();
    if (!fired) {
      for (Evidence counted : window.getEvidence10List()) {
        if (counted.getEventId().equals(evidence.getEventId())
            && counted.getSourceId().equals(evidence.getSourceId())) {
          return;  // a replayed sighting
        }
      }
    }
    window.setEvidenceCount16(window.getEvidenceCount16() + 1);
    if (!fired) {
      window.addEvidence10(evidence);
      if (window.getEvidenceCount16() >= rule.threshold) {
        String group = sighting.key().substring(sighting.key().indexOf('\u001f') + 1);
        Judgment judgment = judge(group, start, window);
        context.forward(
            new Record<>(judgment.getJurisdictionCode(), judgment.toByteArray(), time));
        window = Judgment.newBuilder()
            .setJudgmentId(judgment.getJudgmentId())
            .setEvidenceCount16(window.getEvidenceCount16());
      }
    }
    windows.put(sighting.key(), window.build().toByteArray(), start);
  }

  private Judgment judge(String group, long start, Judgment.Builder window) {
    java.util.List<Evidence> evidence =
        window.getEvidence10List().subList(0, Math.min(rule.maxEvidence, window.getEvidence10Count()));
    String jurisdiction = Judgments.commonJurisdiction(evidence);
    return Judgment.newBuilder()
        .setJudgmentId(Judgments.stableId(rule.id, group, Long.toString(start * 1_000_000)))
        .setRuleId(rule.id)
        .setRuleVersion(rule.version)
        .setKind(JudgmentKind.JUDGMENT_KIND_HOTSPOT)
        .setSeverity(Severity.SEVERITY_MEDIUM)
        .setTitle("Hotspot: " + window.getEvidenceCount16() + " events of " + group)
        .setSummary(
            window.getEvidenceCount16()
                + " matching events of "
                + group
                + " (threshold "
                + rule.threshold
                + ")")
        .setJurisdictionCode(jurisdiction)
        .addAllEvidence10(evidence)
        .setCreatedAt(Judgments.now())
        .setClassification(evidence.get(0).getClassification())
        .setWindowStart(Judgments.millis(start))
        .setWindowEnd(Judgments.millis(start + windowMs))
        .setGroupKey(group)
        .setEvidenceCount16(window.getEvidenceCount16())
        .build();
  }

  @Override
  public void close() {
    if (lateDropped > 0) System.err.println("[streams-bench] late sightings dropped: " + lateDropped);
  }
}
