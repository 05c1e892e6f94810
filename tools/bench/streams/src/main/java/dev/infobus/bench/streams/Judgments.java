package dev.infobus.bench.streams;

import com.google.protobuf.Timestamp;
import infobus.common.v1.EventOuterClass.Event;
import infobus.common.v1.EventOuterClass.Subject;
import infobus.common.v1.JudgmentOuterClass.Evidence;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/** What judgment's engine derives from an event, and its judgment ids. Stateless. */
final class Judgments {
  private Judgments() {}

  /** The event's jurisdiction: its location's code, else its county (as judgment's engine). */
  static String jurisdictionOf(Event event) {
    String code = event.getLocation().getJurisdictionCode();
    return code.isEmpty() ? event.getCountyCode() : code;
  }

  /** judgment's domain::SubjectKey: "PHONE:13800000001". */
  static String subjectKey(Subject subject) {
    String type = subject.getType().name();
    if (type.startsWith("SUBJECT_TYPE_")) type = type.substring("SUBJECT_TYPE_".length());
    return type + ":" + subject.getValue();
  }

  /** The evidence judgment keeps for an event. */
  static Evidence evidenceOf(Event event) {
    Evidence.Builder evidence =
        Evidence.newBuilder()
            .setEventId(event.getEventId())
            .setSourceId(event.getSourceId())
            .setTraceId(event.getTraceId())
            .setKind(event.getKind())
            .setCountyCode(event.getCountyCode())
            .setOccurredAt(event.getOccurredAt())
            .setClassification(event.getClassification())
            .setJurisdictionCode(jurisdictionOf(event))
            .setIngestedAt(event.getIngestedAt())
            .addAllCompartments(event.getCompartmentsList());
    if (event.getLocation().getHasCoordinates()) {
      evidence
          .setHasCoordinates(true)
          .setLat(event.getLocation().getLat())
          .setLon(event.getLocation().getLon());
    }
    return evidence.build();
  }

  /** The longest common prefix of the evidence's jurisdictions (judgment's judgment_builder). */
  static String commonJurisdiction(List<Evidence> evidence) {
    if (evidence.isEmpty()) return "";
    String common = evidence.get(0).getJurisdictionCode();
    for (Evidence item : evidence) {
      String code = item.getJurisdictionCode();
      int n = 0;
      while (n < common.length() && n < code.length() && common.charAt(n) == code.charAt(n)) ++n;
      common = common.substring(0, n);
    }
    return common;
  }

  static Timestamp now() {
    Instant now = Instant.now();
    return Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
  }

  static Timestamp millis(long ms) {
    return Timestamp.newBuilder()
        .setSeconds(Math.floorDiv(ms, 1000))
        .setNanos((int) Math.floorMod(ms, 1000) * 1_000_000)
        .build();
  }

  /** A deterministic id of the parts, like judgment's StableId (two FNV-1a hashes, 32 hex). */
  static String stableId(String... parts) {
    long a = 0xcbf29ce484222325L;
    long b = 0x84222325cbf29ce4L;
    for (String part : parts) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      byte[] length = (bytes.length + ":").getBytes(StandardCharsets.UTF_8);
      a = fnv(fnv(a, length), bytes);
      b = fnv(fnv(b, bytes), length);
    }
    return String.format("%016x%016x", mix(a), mix(b ^ a));
  }

  private static long fnv(long hash, byte[] bytes) {
    for (byte x : bytes) {
      hash ^= (x & 0xff);
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  private static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    return x;
  }
}
