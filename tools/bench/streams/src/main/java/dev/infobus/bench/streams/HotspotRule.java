package dev.infobus.bench.streams;

import infobus.common.v1.EventOuterClass.Event;
import java.time.Duration;
import java.util.List;

/**
 * The one hotspot rule the peer counts: events of `kinds`, grouped by {@code kind|jurisdiction
 * prefix} (judgment's {@code group_by: [kind, "jurisdiction:N"]}), tumbling windows of `window`,
 * late events counted until window end + `grace`, firing once when a window's count reaches
 * `threshold` with the first `maxEvidence` events as evidence. Immutable.
 */
final class HotspotRule {
  final String id;
  final int version;
  final List<String> kinds;
  final int jurisdictionDigits;
  final Duration window;
  final Duration grace;
  final int threshold;
  final int maxEvidence;

  HotspotRule(
      String id,
      int version,
      List<String> kinds,
      int jurisdictionDigits,
      Duration window,
      Duration grace,
      int threshold,
      int maxEvidence) {
    this.id = id;
    this.version = version;
    this.kinds = kinds;
    this.jurisdictionDigits = jurisdictionDigits;
    this.window = window;
    this.grace = grace;
    this.threshold = threshold;
    this.maxEvidence = maxEvidence;
  }

  String groupKey(Event event) {
    String code = Judgments.jurisdictionOf(event);
    return event.getKind()
        + "|"
        + (code.length() > jurisdictionDigits ? code.substring(0, jurisdictionDigits) : code);
  }
}
